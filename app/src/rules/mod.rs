//! What the security office configures about entry: the blacklists, the
//! visit reasons and the pass-kind policies. Each change is audited. This
//! file holds the server functions; `applications` reads reasons and
//! policies from here (never the other way).

#[cfg(feature = "ssr")]
pub mod blacklist;
#[cfg(feature = "ssr")]
pub mod listed;
mod pages;
#[cfg(feature = "ssr")]
pub mod policies;
#[cfg(feature = "ssr")]
pub mod reasons;
#[cfg(feature = "ssr")]
pub mod staff_blacklist;
mod staff_blacklist_page;
mod types;
#[cfg(feature = "ssr")]
pub mod vehicles;
mod vehicles_page;

pub use pages::*;
pub use staff_blacklist_page::*;
pub use types::*;
pub use vehicles_page::*;

use crate::domain::policy::PassPolicy;
use crate::error::AppError;
use leptos::prelude::*;
use server_fn::codec::Json;

role_fn!(SecurityAdmin, list_blacklist "list_blacklist"(include_lifted: bool) -> Vec<BlacklistEntry> => |st, me| blacklist::list(&st, include_lifted).await);
role_fn!(SecurityAdmin, add_to_blacklist "add_to_blacklist"(kind: BlacklistKind, doc_type: crate::domain::document::DocType, value: String, reason: String) -> String =>
    |st, me| blacklist::add(&st, &me, kind, doc_type, &value, &reason).await);
role_fn!(SecurityAdmin, lift_blacklist "lift_blacklist"(id: String, reason: String) -> () => |st, me| blacklist::lift(&st, &me, &id, &reason).await);
role_fn!([Hr, SecurityAdmin], list_staff_blacklist "list_staff_blacklist"(include_lifted: bool) -> Vec<StaffBlacklistEntry> =>
    |st, me| staff_blacklist::list(&st, include_lifted).await);
role_fn!([Hr, SecurityAdmin],
    /// Lists a staff member (by staff number): no staff pass for them, at the gate or by application.
    add_staff_to_blacklist "add_staff_to_blacklist"(staff_no: String, reason: String) -> String => |st, me| staff_blacklist::add(&st, &me, &staff_no, &reason).await);
role_fn!([Hr, SecurityAdmin], lift_staff_blacklist "lift_staff_blacklist"(id: String, reason: String) -> () => |st, me| staff_blacklist::lift(&st, &me, &id, &reason).await);
role_fn!(SecurityAdmin, list_reasons "list_reasons"() -> Vec<ReasonView> => |st, me| reasons::reasons(&st, false).await);
role_fn!(SecurityAdmin, list_vehicle_rules "list_vehicle_rules"() -> VehicleRulesSetup => |st, me| vehicles::vehicle_rules(&st).await);
role_fn!(SecurityAdmin, list_policies "list_policies"() -> Vec<PassPolicy> => |st, me| policies::policies(&st).await);

server_fn! {
    "save_reason", input = Json;
    pub async fn save_reason(reason: ReasonView) -> Result<String, AppError> {
        use crate::platform::context::*;
        respond(async move {
            let me = require_role(crate::domain::Role::SecurityAdmin).await?;
            reasons::save_reason(&state()?, &me, reason).await
        })
        .await
    }
}

server_fn! {
    "save_vehicle_rules", input = Json;
    pub async fn save_vehicle_rules(rules: VehicleRulesForm) -> Result<(), AppError> {
        use crate::platform::context::*;
        respond(async move {
            let me = require_role(crate::domain::Role::SecurityAdmin).await?;
            vehicles::save_vehicle_rules(&state()?, &me, rules).await
        })
        .await
    }
}

server_fn! {
    "save_policy", input = Json;
    pub async fn save_policy(policy: PassPolicy) -> Result<(), AppError> {
        use crate::platform::context::*;
        respond(async move {
            let me = require_role(crate::domain::Role::SecurityAdmin).await?;
            policies::save_policy(&state()?, &me, policy).await
        })
        .await
    }
}
