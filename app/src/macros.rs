/// A server function open only to holders of one role. The role check runs
/// first, on the server, before anything else in the body.
macro_rules! role_fn {
    ($role:ident, $(#[$m:meta])* $name:ident $ep:literal ( $($arg:ident : $ty:ty),* ) -> $ret:ty => |$st:ident, $me:ident| $body:expr) => {
        $(#[$m])*
        #[server(prefix = "/api/fn", endpoint = $ep)]
        pub async fn $name($($arg: $ty),*) -> Result<$ret, crate::error::AppError> {
            use crate::platform::context::*;
            respond(async move {
                let $me = require_role(crate::domain::Role::$role).await?;
                let $st = state()?;
                let _ = &$me;
                $body
            })
            .await
        }
    };
}

/// A server function open to anyone signed in (a visitor or staff member
/// who has set their own password); `AppError`, `Msg` and `Json` must be in scope.
macro_rules! app_fn {
    ($(#[$m:meta])* $name:ident $ep:literal ( $($arg:ident : $ty:ty),* ) -> $ret:ty => |$st:ident, $me:ident| $body:expr) => {
        $(#[$m])*
        #[server(prefix = "/api/fn", endpoint = $ep, input = Json)]
        pub async fn $name($($arg: $ty),*) -> Result<$ret, AppError> {
            use crate::platform::context::*;
            respond(async move {
                let $me = require_signed_in().await?;
                if $me.staff().is_some_and(|s| s.must_change_password) {
                    return Err(AppError::Conflict { msg: Msg::MustChangePassword });
                }
                let $st = state()?;
                $body
            })
            .await
        }
    };
}
