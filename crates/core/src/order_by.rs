//! Clerk's `order_by` parameter of the Backend API's lists: a field's name, signed with `-` for
//! descending or `+` (or nothing) for ascending. Every list reads the sign here; the names a
//! list accepts, and what it says of any other, stay with that list.

use crate::error::{CoreError, CoreResult};

/// `[+|-]field`: whether the order is descending, and the field's name.
pub fn split_sign(raw: &str) -> (bool, &str) {
    match raw.as_bytes().first() {
        Some(b'-') => (true, &raw[1..]),
        Some(b'+') => (false, &raw[1..]),
        _ => (false, raw),
    }
}

/// The `order_by` error for a name that is no field `what` (users, organizations, …) can be
/// ordered by; the name is cut to 40 characters.
pub fn unknown_field(name: &str, what: &str) -> CoreError {
    CoreError::value(
        "order_by",
        format!(
            "'{}' is not a field {what} can be ordered by",
            name.chars().take(40).collect::<String>()
        ),
    )
}

/// The fields one list can be ordered by.
pub trait OrderByField: Sized + Copy {
    /// The field a list is ordered by when the request names none (newest first).
    const DEFAULT: Self;
    /// The field `name` stands for, if the list has it.
    fn named(name: &str) -> Option<Self>;
    /// The error for a name the list does not have.
    fn unknown(name: &str) -> CoreError;
}

/// Declares the fields one list can be ordered by: the enum, each field's name in `order_by`,
/// the default field, and the error for a name the list does not have.
macro_rules! order_fields {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($variant:ident = $text:literal,)+
        }
        default $default:ident;
        unknown($arg:pat_param) => $unknown:expr;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($variant,)+
        }

        impl $crate::order_by::OrderByField for $name {
            const DEFAULT: Self = Self::$default;

            fn named(name: &str) -> Option<Self> {
                match name {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }

            fn unknown($arg: &str) -> $crate::error::CoreError {
                $unknown
            }
        }
    };
}
pub(crate) use order_fields;

/// A list's order: one of its fields, and the direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderBy<F> {
    pub field: F,
    pub descending: bool,
}

impl<F: OrderByField> Default for OrderBy<F> {
    /// The default field, descending (newest first, as in Clerk).
    fn default() -> Self {
        Self {
            field: F::DEFAULT,
            descending: true,
        }
    }
}

impl<F: OrderByField> OrderBy<F> {
    /// `[+|-]field`; no sign means ascending, as in Clerk.
    pub fn parse(raw: &str) -> CoreResult<Self> {
        let (descending, name) = split_sign(raw);
        let field = F::named(name).ok_or_else(|| F::unknown(name))?;
        Ok(Self { field, descending })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs() {
        assert_eq!(split_sign("-name"), (true, "name"));
        assert_eq!(split_sign("+name"), (false, "name"));
        assert_eq!(split_sign("name"), (false, "name"));
        assert_eq!(split_sign(""), (false, ""));
        assert_eq!(split_sign("-"), (true, ""));
    }

    #[test]
    fn unknown_names_are_cut() {
        let long = "x".repeat(100);
        let CoreError::ParamValueInvalid { param, reason } = unknown_field(&long, "users") else {
            panic!("not a value error");
        };
        assert_eq!(param, "order_by");
        assert_eq!(
            reason,
            format!(
                "'{}' is not a field users can be ordered by",
                "x".repeat(40)
            )
        );
    }
}
