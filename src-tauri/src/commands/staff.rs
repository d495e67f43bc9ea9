use hallkeeper_core::proto::{Roster, SeatInput, Staff, StaffInput};

read_command! {
    pub fn list_staff() -> Vec<Staff> = |s| s.list_staff();
}

write_command! {
    pub fn create_staff(input: StaffInput) -> Staff
        = |s, actor| s.create_staff(actor, &input), notifies Staff;
}

write_command! {
    pub fn update_staff(id: String, input: StaffInput) -> Staff
        = |s, actor| s.update_staff(actor, &id, &input), notifies Staff;
}

write_command! {
    /// Deletes the record and its seats: the staff list and the roster both change.
    pub fn delete_staff(id: String) -> ()
        = |s, actor| s.delete_staff(actor, &id), notifies Staff, Roster;
}

read_command! {
    pub fn get_roster() -> Roster = |s| s.roster_today();
}

write_command! {
    pub fn set_seat(input: SeatInput) -> Roster = |s, actor| s.set_seat(actor, &input), notifies Roster;
}
