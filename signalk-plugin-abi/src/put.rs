//! How the host finds the export that handles a PUT (§9).

/// The export name the host calls for a PUT on `context` + `path`:
/// `handle_put_<context>_<path>` with every `.` replaced by `_`, case preserved.
///
/// ```
/// assert_eq!(
///     signalk_plugin_abi::put::export_name("vessels.self", "steering.autopilot.target.headingTrue"),
///     "handle_put_vessels_self_steering_autopilot_target_headingTrue"
/// );
/// ```
#[must_use]
pub fn export_name(context: &str, path: &str) -> String {
    let mut name = String::with_capacity(12 + context.len() + path.len());
    name.push_str("handle_put_");
    name.extend(context.chars().map(|c| if c == '.' { '_' } else { c }));
    name.push('_');
    name.extend(path.chars().map(|c| if c == '.' { '_' } else { c }));
    name
}
