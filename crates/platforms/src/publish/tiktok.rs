//! Publishing to tiktok (see the module docs of `publish`).
