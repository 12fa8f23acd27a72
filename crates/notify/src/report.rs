//! What a weekly digest says, in no language: the week's figures and the
//! one next step, decided by a pure rule.

use herald_accounts::{Permission, Role};
use herald_core::{Timestamp, WorkspaceId};
use jiff::civil::Date;

use crate::Notice;

/// A workspace's week as one member's digest shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WeekFigures {
    /// Targets published during the week.
    pub published: u64,
    /// Targets published the week before.
    pub published_before: u64,
    /// Targets that failed during the week.
    pub failed: u64,
    /// Posts waiting for approval now.
    pub awaiting_approval: u64,
    /// Targets scheduled for the coming week.
    pub scheduled_next: u64,
}

/// The one step the digest suggests first, as a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum NextStep {
    /// Look at what failed and send it again.
    FixFailed,
    /// Posts wait for this member's decision.
    Review,
    /// Nothing is scheduled for the coming week.
    PlanWeek,
    /// Less is scheduled than was published this week.
    KeepCadence,
    /// The coming week is planned.
    OnTrack,
}

impl NextStep {
    /// The most useful next step for a member with `role`, from the week's
    /// figures: failures first, then their approvals, then the schedule
    /// against this week's cadence.
    pub fn of(figures: &WeekFigures, role: Role) -> NextStep {
        if figures.failed > 0 && role.allows(Permission::Publish) {
            NextStep::FixFailed
        } else if figures.awaiting_approval > 0 && role.allows(Permission::Approve) {
            NextStep::Review
        } else if figures.scheduled_next == 0 {
            NextStep::PlanWeek
        } else if figures.scheduled_next < figures.published {
            NextStep::KeepCadence
        } else {
            NextStep::OnTrack
        }
    }
}

/// One member's digest of one week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub workspace: WorkspaceId,
    /// The Monday the digest was made on, in the member's zone.
    pub week: Date,
    /// The week it covers: the seven days up to the digest's time.
    pub from: Timestamp,
    pub to: Timestamp,
    pub figures: WeekFigures,
    pub next: NextStep,
}

impl Digest {
    /// The digest as an in-app notice.
    pub fn notice(&self) -> Notice {
        Notice::new(
            "digest",
            [
                ("published", self.figures.published.into()),
                ("published_before", self.figures.published_before.into()),
                ("failed", self.figures.failed.into()),
                ("awaiting", self.figures.awaiting_approval.into()),
                ("scheduled", self.figures.scheduled_next.into()),
                ("next", self.next_code().into()),
            ],
        )
    }

    pub fn next_code(&self) -> &'static str {
        self.next.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_step_puts_failures_first_then_approvals_then_the_plan() {
        let week = WeekFigures {
            published: 5,
            published_before: 3,
            failed: 1,
            awaiting_approval: 2,
            scheduled_next: 0,
        };
        assert_eq!(NextStep::of(&week, Role::Editor), NextStep::FixFailed);
        assert_eq!(
            NextStep::of(&week, Role::Contributor),
            NextStep::PlanWeek,
            "a contributor can neither resend nor approve"
        );
        let week = WeekFigures { failed: 0, ..week };
        assert_eq!(NextStep::of(&week, Role::Admin), NextStep::Review);
        let week = WeekFigures {
            awaiting_approval: 0,
            scheduled_next: 2,
            ..week
        };
        assert_eq!(NextStep::of(&week, Role::Admin), NextStep::KeepCadence);
        let week = WeekFigures {
            scheduled_next: 9,
            ..week
        };
        assert_eq!(NextStep::of(&week, Role::Viewer), NextStep::OnTrack);
    }
}
