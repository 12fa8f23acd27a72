//! Integration tests of the rate limiters. The in-process cases run on a
//! manual clock; the Redis cases need a server (`HERALD_TEST_REDIS_URL`) and
//! are `#[ignore]`d unless run with `--ignored redis`, as `.ci/run` does.

mod connect;
mod in_process;
mod redis;
