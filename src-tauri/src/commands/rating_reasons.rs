//! The rating pad's reason tags (评价原因标签): the hall's list, kept and checked by core and
//! synced to the server, which offers it on every pad. A thin shell over the store.

use hallkeeper_core::proto::RatingReasons;

read_command! {
    pub fn get_rating_reasons() -> RatingReasons = |s| s.rating_reasons();
}

write_command! {
    /// Saves the list (refused at the first problem's field, `tags[2]`), audited, queued for the
    /// server.
    pub fn set_rating_reasons(reasons: RatingReasons) -> RatingReasons
        = |s, actor| s.set_rating_reasons(actor, &reasons), notifies RatingReasons;
}
