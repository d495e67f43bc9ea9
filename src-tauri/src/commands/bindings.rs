use hallkeeper_core::proto::{BindInput, Binding, BindingsChange, UnbindInput};

read_command! {
    pub fn list_bindings() -> Vec<Binding> = |s| s.list_bindings();
}

write_command! {
    /// The pages hear of it only when a binding was added.
    pub fn bind_matters(input: BindInput) -> BindingsChange
        = |s, actor| s.bind_matters(actor, &input), notifies Bindings if |change| change.changed > 0;
}

write_command! {
    /// The pages hear of it only when a binding was removed.
    pub fn unbind_matters(input: UnbindInput) -> BindingsChange
        = |s, actor| s.unbind_matters(actor, &input), notifies Bindings if |change| change.changed > 0;
}
