//! `com.apple.mobile.installation_proxy`: `Browse` (ClientOptions
//! `ApplicationType` User / System / Any, `ReturnAttributes`) answered in
//! chunks `{Status: BrowsingApplications, CurrentList, CurrentIndex,
//! CurrentAmount, Total}` then `{Status: Complete}`; `Lookup`
//! (`BundleIDs`) answered `{LookupResult: {id: attrs}, Status: Complete}`.
//! Other commands: `{Error: "UnknownCommand"}`.

use plist::{Dictionary, Value};

use super::faults::Fault;
use super::link::Link;
use super::phone::App;
use super::plist_io::{self, get_dict, get_str};
use super::server::Sim;
use super::{plist_service, IosError};

/// Apps per BrowsingApplications message (small, so clients see chunks).
pub const CHUNK: usize = 2;
const TEAM: &str = "SONDE12345";

fn uuid_for(kind: &str, id: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = hex::encode_upper(Sha256::digest(format!("{kind}:{id}").as_bytes()));
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// The device-side path of an app group container.
pub fn group_path(group: &str) -> String {
    format!("/private/var/mobile/Containers/Shared/AppGroup/{}", uuid_for("group", group))
}

/// Every attribute the simulator knows for `app`.
pub fn attributes(app: &App) -> Dictionary {
    let mut d = Dictionary::new();
    let exe = app.executable().to_string();
    d.insert("CFBundleIdentifier".into(), app.id.as_str().into());
    d.insert("CFBundleDisplayName".into(), app.display_name().into());
    d.insert("CFBundleName".into(), app.display_name().into());
    d.insert("CFBundleExecutable".into(), exe.as_str().into());
    if let Some(v) = app.short_version() {
        d.insert("CFBundleShortVersionString".into(), v.into());
    }
    if let Some(v) = app.build.as_deref().or(app.short_version()) {
        d.insert("CFBundleVersion".into(), v.into());
    }
    d.insert("ApplicationType".into(), app.app_type.as_str().into());
    let mut ent = Dictionary::new();
    ent.insert("application-identifier".into(), format!("{TEAM}.{}", app.id).into());
    ent.insert("com.apple.developer.team-identifier".into(), TEAM.into());
    ent.insert("get-task-allow".into(), Value::Boolean(app.developer));
    if !app.groups.is_empty() {
        ent.insert(
            "com.apple.security.application-groups".into(),
            Value::Array(app.groups.iter().map(|g| Value::String(g.clone())).collect()),
        );
    }
    d.insert("Entitlements".into(), Value::Dictionary(ent));
    d.insert("UIFileSharingEnabled".into(), Value::Boolean(app.file_sharing));
    if app.is_system() {
        d.insert("Path".into(), format!("/Applications/{exe}.app").into());
        d.insert("SignerIdentity".into(), "Apple iPhone OS Application Signing".into());
    } else {
        d.insert(
            "Path".into(),
            format!("/private/var/containers/Bundle/Application/{}/{exe}.app", uuid_for("bundle", &app.id))
                .into(),
        );
        d.insert(
            "Container".into(),
            format!("/private/var/mobile/Containers/Data/Application/{}", uuid_for("data", &app.id)).into(),
        );
        d.insert("ProfileValidated".into(), Value::Boolean(app.developer));
        let signer = app.signer.clone().unwrap_or_else(|| {
            if app.developer {
                format!("Apple Development: Sonde Demo ({TEAM})")
            } else {
                "Apple iPhone OS Application Signing".to_string()
            }
        });
        d.insert("SignerIdentity".into(), signer.into());
        let mut groups = Dictionary::new();
        for g in &app.groups {
            groups.insert(g.clone(), group_path(g).into());
        }
        d.insert("GroupContainers".into(), Value::Dictionary(groups));
    }
    d
}

fn select(app: &App, wanted: Option<&[Value]>) -> Dictionary {
    let all = attributes(app);
    match wanted {
        None => all,
        Some(keys) => {
            let mut d = Dictionary::new();
            for k in keys.iter().filter_map(Value::as_string) {
                if let Some(v) = all.get(k) {
                    d.insert(k.to_string(), v.clone());
                }
            }
            d
        }
    }
}

fn type_matches(app: &App, wanted: Option<&str>) -> bool {
    match wanted {
        Some("User") => app.app_type == "User",
        Some("System") => app.app_type == "System",
        Some("Internal") => false,
        _ => true,
    }
}

pub async fn serve(sim: &Sim, mut link: Link, start: Option<Fault>) -> Result<(), IosError> {
    sim.finish(start.as_ref()).await?;
    loop {
        let Some(msg) = plist_service::recv(&mut link).await? else {
            return Ok(());
        };
        let command = get_str(&msg, "Command").unwrap_or("").to_string();
        let fault = sim.step(&format!("instproxy:{command}")).await?;
        let fault = fault.or(start);
        let options = get_dict(&msg, "ClientOptions").cloned().unwrap_or_default();
        let wanted_type = get_str(&options, "ApplicationType");
        let attrs = options.get("ReturnAttributes").and_then(Value::as_array).map(Vec::as_slice);
        let mut out = Vec::new();
        match command.as_str() {
            "Browse" => {
                let apps: Vec<App> =
                    sim.phone.apps().into_iter().filter(|a| type_matches(a, wanted_type)).collect();
                let total = apps.len();
                for (i, chunk) in apps.chunks(CHUNK).enumerate() {
                    let list: Vec<Value> =
                        chunk.iter().map(|a| Value::Dictionary(select(a, attrs))).collect();
                    let d = plist_io::dict([
                        ("CurrentAmount", Value::Integer((chunk.len() as u64).into())),
                        ("CurrentIndex", Value::Integer(((i * CHUNK) as u64).into())),
                        ("CurrentList", Value::Array(list)),
                        ("Status", "BrowsingApplications".into()),
                        ("Total", Value::Integer((total as u64).into())),
                    ]);
                    out.extend(plist_service::encode(&d)?);
                }
                out.extend(plist_service::encode(&plist_io::dict([("Status", "Complete".into())]))?);
            }
            "Lookup" => {
                let ids: Option<Vec<String>> = options
                    .get("BundleIDs")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_string).map(String::from).collect());
                let mut result = Dictionary::new();
                for app in sim.phone.apps() {
                    let listed = ids.as_ref().is_none_or(|ids| ids.contains(&app.id));
                    if listed && type_matches(&app, wanted_type) {
                        result.insert(app.id.clone(), Value::Dictionary(select(&app, attrs)));
                    }
                }
                let d = plist_io::dict([
                    ("LookupResult", Value::Dictionary(result)),
                    ("Status", "Complete".into()),
                ]);
                out.extend(plist_service::encode(&d)?);
            }
            _ => {
                let d = plist_io::dict([("Error", "UnknownCommand".into())]);
                out.extend(plist_service::encode(&d)?);
            }
        }
        link.write_faulted(&out, fault.as_ref()).await?;
        sim.finish(fault.as_ref()).await?;
    }
}
