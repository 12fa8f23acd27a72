//! Analytics against a real database (both engines).

mod anomaly;
mod guides;
mod helpers;
mod recommend;
