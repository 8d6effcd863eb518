//! Background jobs started with the server.

pub mod key_refresh;
