// `delegate_store!`: most storage methods only hand their arguments, in order, to one shared
// query function on the reader or the writer pool, and name themselves in the error. Writing each
// such method out took ten lines of the same shape; here it takes one:
//
//     get_api_key(instance_id: &InstanceId, id: &ApiKeyId) -> Option<ApiKey>
//         = api_keys::get(reader);
//
// becomes `async fn get_api_key(&self, …) -> StoreResult<Option<ApiKey>>` calling
// `api_keys::get(self.reader(), instance_id, id)` with the error marked `during("get_api_key")`.
// Arguments that are the same on every call go after the pool, before the method's own:
//
//     get_user(instance_id: &InstanceId, id: &UserId) -> Option<User>
//         = query::versioned_by_id(reader, "users");
//
// A method without `-> T` answers `StoreResult<()>`. Methods that do more than that follow the
// list, written out as usual inside the same impl.
// (The whole impl is generated, so `#[async_trait]` sees the finished methods.)
macro_rules! delegate_store {
    (@answer) => { () };
    (@answer $ret:ty) => { $ret };
    (
        impl $area:path {
            $(
                $name:ident($($arg:ident: $arg_ty:ty),* $(,)?) $(-> $ret:ty)?
                    = $($query:ident)::+($pool:ident $(, $fixed:expr)*);
            )*
        }
        $($written_out:tt)*
    ) => {
        #[async_trait]
        impl $area for Backend {
            $(
                async fn $name(&self, $($arg: $arg_ty),*)
                    -> StoreResult<delegate_store!(@answer $($ret)?)>
                {
                    $($query)::+(self.$pool(), $($fixed,)* $($arg),*)
                        .await
                        .map_err(|e| e.during(stringify!($name)))
                }
            )*
            $($written_out)*
        }
    };
}
