//! The fault plan of the test-only fault injection (`PW_FAULTS=1`): which fault the next
//! requests get and how many are left, shared by the middleware and `/__faults`.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};

/// How a faulted request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Status(StatusCode),
    /// Wait, then process the request normally.
    Delay(Duration),
    /// Close the connection without any response.
    Drop,
    /// 200 with a body that is not JSON.
    Garbage,
}

#[derive(Debug, Default)]
struct FaultPlan {
    fault: Option<Fault>,
    remaining: u32,
    /// Faulted answers given since the plan was last set.
    served: u64,
}

/// The current fault plan, shared by the middleware and the `/__faults` endpoint.
#[derive(Debug, Default)]
pub struct FaultInjector {
    plan: Mutex<FaultPlan>,
}

impl FaultInjector {
    pub fn set(&self, fault: Option<Fault>, count: u32) {
        *self.lock() = FaultPlan {
            fault,
            remaining: if fault.is_some() { count } else { 0 },
            served: 0,
        };
    }

    /// The fault for the request at hand, if any; switches itself off after the last one.
    pub fn take(&self) -> Option<Fault> {
        let mut plan = self.lock();
        let fault = plan.fault?;
        plan.remaining -= 1;
        plan.served += 1;
        if plan.remaining == 0 {
            plan.fault = None;
        }
        Some(fault)
    }

    pub fn describe(&self) -> Value {
        let plan = self.lock();
        let mut description = match plan.fault {
            None => json!({"mode": "off"}),
            Some(Fault::Status(status)) => json!({"mode": "status", "status": status.as_u16()}),
            Some(Fault::Delay(delay)) => json!({"mode": "delay", "ms": delay.as_millis() as u64}),
            Some(Fault::Drop) => json!({"mode": "drop"}),
            Some(Fault::Garbage) => json!({"mode": "garbage"}),
        };
        description["remaining"] = json!(plan.remaining);
        description["served"] = json!(plan.served);
        description
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultPlan> {
        // The plan is plain data, valid even if a holder panicked.
        self.plan.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_switches_itself_off_after_count() {
        let injector = FaultInjector::default();
        injector.set(Some(Fault::Drop), 2);
        assert_eq!(injector.take(), Some(Fault::Drop));
        assert_eq!(injector.take(), Some(Fault::Drop));
        assert_eq!(injector.take(), None);
        assert_eq!(
            injector.describe(),
            json!({"mode": "off", "remaining": 0, "served": 2})
        );
    }
}
