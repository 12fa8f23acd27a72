//! Publishing to TikTok and YouTube against the simulators.
