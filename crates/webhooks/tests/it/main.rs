mod callbacks;
mod fixtures;
mod inbound;
mod inbox;
mod notify;
mod outbound;
mod retention;
