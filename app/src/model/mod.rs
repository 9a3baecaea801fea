//! The data the server and the console share (compiled for both, serde only), and the
//! typed protocol of live changes that carries it. It sits below the domains, which
//! re-export their types from here, and above the infrastructure; it holds no logic
//! that reads or writes anything.
pub mod attachment;
pub mod change;
pub mod conversation;
pub mod presence;
pub mod signal;
pub mod sla;
pub mod team;
