mod callbacks;
mod fixtures;
mod inbound;
mod notify;
mod outbound;
mod retention;
