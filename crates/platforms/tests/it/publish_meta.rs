//! Publishing to Facebook Pages and Instagram against the simulators.
