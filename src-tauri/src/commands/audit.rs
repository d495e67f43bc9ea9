use hallkeeper_core::proto::AuditPage;

read_command! {
    pub fn list_audit(limit: usize, before: Option<String>) -> AuditPage
        = |s| s.list_audit(limit, before.as_deref());
}
