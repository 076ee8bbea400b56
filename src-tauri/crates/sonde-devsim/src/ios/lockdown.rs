//! lockdownd on port 62078: 4-byte big-endian length + property list.
//!
//! Requests: `QueryType`, `GetValue` (Domain and Key optional; no Key: the
//! whole domain; without a session only the public values, as iOS),
//! `SetValue`/`RemoveValue` (prohibited), `ValidatePair`, `Pair` (the
//! "Trust this computer?" dialog: `state.json` → `trust`), `Unpair`,
//! `StartSession` (then TLS on the same connection, the phone being the
//! server), `StopSession` (back to plain), `StartService`, `Goodbye`.
//! Errors are `{"Request": R, "Error": E}` with lockdownd's names:
//! `InvalidHostID`, `PairingDialogResponsePending`, `UserDeniedPairing`,
//! `PasswordProtected`, `InvalidService`, `MissingValue`, `GetProhibited`,
//! `SessionInactive`, `InvalidRequest`, ...

use plist::{Dictionary, Value};

use super::link::Link;
use super::phone::Trust;
use super::plist_io::{self, get_dict, get_str};
use super::server::Sim;
use super::{pairing, plist_service, services, IosError};

/// Values lockdownd gives to anyone, before a session.
const PUBLIC_KEYS: &[&str] = &[
    "ActivationState",
    "BasebandVersion",
    "BuildVersion",
    "CPUArchitecture",
    "DeviceClass",
    "DeviceColor",
    "DeviceName",
    "DevicePublicKey",
    "FirmwareVersion",
    "HardwareModel",
    "HardwarePlatform",
    "HostAttached",
    "ProductName",
    "ProductType",
    "ProductVersion",
    "ProtocolVersion",
    "SerialNumber",
    "TimeZone",
    "UniqueChipID",
    "UniqueDeviceID",
    "WiFiAddress",
];

struct Session {
    id: String,
}

fn error(request: &str, error: &str) -> Dictionary {
    plist_io::dict([("Request", request.into()), ("Error", error.into())])
}

fn ok(request: &str) -> Dictionary {
    plist_io::dict([("Request", request.into())])
}

/// Serves one lockdownd connection until Goodbye or end of stream.
pub async fn serve(sim: &Sim, mut link: Link) -> Result<(), IosError> {
    let mut session: Option<Session> = None;
    loop {
        let Some(msg) = plist_service::recv(&mut link).await? else {
            return Ok(());
        };
        let request = get_str(&msg, "Request").unwrap_or("").to_string();
        let label = step_label(&request, &msg);
        let fault = sim.step(&label).await?;
        tracing::debug!(request, label = get_str(&msg, "Label").unwrap_or(""), "lockdown");
        let answer = match request.as_str() {
            "QueryType" => {
                let mut d = ok("QueryType");
                d.insert("Type".into(), "com.apple.mobile.lockdown".into());
                d
            }
            "GetValue" => get_value(sim, &msg, session.is_some())?,
            "SetValue" => error("SetValue", "SetProhibited"),
            "RemoveValue" => error("RemoveValue", "RemoveProhibited"),
            "ValidatePair" => match host_id_of(&msg) {
                Some(id) if pairing::trusted_host(&sim.phone, id).is_some() => ok("ValidatePair"),
                _ => error("ValidatePair", "InvalidHostID"),
            },
            "Pair" => pair(sim, &msg)?,
            "Unpair" => match host_id_of(&msg) {
                Some(id) => {
                    pairing::forget_host(&sim.phone, id);
                    let mut state = sim.phone.state();
                    state.trust = Trust::Unpaired;
                    sim.phone.set_state(&state)?;
                    ok("Unpair")
                }
                None => error("Unpair", "InvalidHostID"),
            },
            "StartSession" => {
                let host = get_str(&msg, "HostID").and_then(|id| pairing::trusted_host(&sim.phone, id));
                match host {
                    _ if session.is_some() => error("StartSession", "SessionActive"),
                    None => error("StartSession", "InvalidHostID"),
                    Some(host) => {
                        let ctx = pairing::tls_context(&sim.phone, &host)?;
                        let id = pairing::new_uuid();
                        let mut d = ok("StartSession");
                        d.insert("SessionID".into(), id.as_str().into());
                        d.insert("EnableSessionSSL".into(), Value::Boolean(true));
                        plist_service::send(&mut link, &d, fault.as_ref()).await?;
                        sim.finish(fault.as_ref()).await?;
                        let info = link.accept_tls(&ctx).await?;
                        tracing::info!(version = info.version, cipher = info.cipher, peer = ?info.peer, "lockdown TLS");
                        sim.note(&format!(
                            "tls\t{} {} client-cert:{}",
                            info.version,
                            info.cipher,
                            info.peer.as_deref().unwrap_or("none")
                        ));
                        session = Some(Session { id });
                        continue;
                    }
                }
            }
            "StopSession" => match session.take() {
                Some(s) => {
                    let given = get_str(&msg, "SessionID").unwrap_or("");
                    if given != s.id {
                        tracing::debug!(given, "StopSession with another SessionID");
                    }
                    plist_service::send(&mut link, &ok("StopSession"), fault.as_ref()).await?;
                    sim.finish(fault.as_ref()).await?;
                    link.stop_tls().await?;
                    continue;
                }
                None => error("StopSession", "NoRunningSession"),
            },
            "StartService" => start_service(sim, &msg, session.is_some()),
            "Goodbye" => {
                let mut d = ok("Goodbye");
                d.insert("Result".into(), "Success".into());
                plist_service::send(&mut link, &d, fault.as_ref()).await?;
                sim.finish(fault.as_ref()).await?;
                return Ok(());
            }
            "" => error("", "MissingValue"),
            other => error(other, "InvalidRequest"),
        };
        plist_service::send(&mut link, &answer, fault.as_ref()).await?;
        sim.finish(fault.as_ref()).await?;
    }
}

fn step_label(request: &str, msg: &Dictionary) -> String {
    match request {
        "GetValue" => match get_str(msg, "Key") {
            Some(key) => format!("lockdown:GetValue:{key}"),
            None => "lockdown:GetValue".into(),
        },
        "StartService" => format!("lockdown:StartService:{}", get_str(msg, "Service").unwrap_or("")),
        _ => format!("lockdown:{request}"),
    }
}

/// The HostID of a ValidatePair/Unpair request (in `PairRecord`, or at the
/// top level as some clients send it).
fn host_id_of(msg: &Dictionary) -> Option<&str> {
    get_dict(msg, "PairRecord").and_then(|r| get_str(r, "HostID")).or_else(|| get_str(msg, "HostID"))
}

fn lockdown_values(sim: &Sim) -> Result<Dictionary, IosError> {
    let mut d = Dictionary::new();
    for (k, v) in sim.phone.info()? {
        if !k.starts_with('_') {
            d.insert(k, plist_io::from_json(&v));
        }
    }
    d.insert("DevicePublicKey".into(), Value::Data(pairing::device_public_key(&sim.phone)?));
    Ok(d)
}

fn get_value(sim: &Sim, msg: &Dictionary, in_session: bool) -> Result<Dictionary, IosError> {
    let domain = get_str(msg, "Domain");
    let key = get_str(msg, "Key");
    let values = match domain {
        None | Some("") => {
            let mut all = lockdown_values(sim)?;
            if !in_session {
                all.retain(|k, _| PUBLIC_KEYS.contains(&k.as_str()));
            }
            all
        }
        Some(domain) => {
            if !in_session {
                return Ok(error("GetValue", "GetProhibited"));
            }
            let info = sim.phone.info()?;
            match info.get("_domains").and_then(|d| d.get(domain)) {
                Some(serde_json::Value::Object(o)) => {
                    let mut d = Dictionary::new();
                    for (k, v) in o {
                        d.insert(k.clone(), plist_io::from_json(v));
                    }
                    d
                }
                _ => return Ok(error("GetValue", "MissingValue")),
            }
        }
    };
    let mut answer = ok("GetValue");
    if let Some(domain) = domain {
        answer.insert("Domain".into(), domain.into());
    }
    match key {
        Some(key) => {
            let Some(value) = values.get(key) else {
                let all = lockdown_values(sim)?;
                let why = if !in_session && all.contains_key(key) { "GetProhibited" } else { "MissingValue" };
                let mut e = error("GetValue", why);
                e.insert("Key".into(), key.into());
                return Ok(e);
            };
            answer.insert("Key".into(), key.into());
            answer.insert("Value".into(), value.clone());
        }
        None => {
            answer.insert("Value".into(), Value::Dictionary(values));
        }
    }
    Ok(answer)
}

fn pair(sim: &Sim, msg: &Dictionary) -> Result<Dictionary, IosError> {
    let mut state = sim.phone.state();
    if state.locked {
        return Ok(error("Pair", "PasswordProtected"));
    }
    match state.trust {
        Trust::Pending => return Ok(error("Pair", "PairingDialogResponsePending")),
        Trust::Denied => return Ok(error("Pair", "UserDeniedPairing")),
        Trust::Trusted | Trust::Unpaired => {}
    }
    let Some(record) = get_dict(msg, "PairRecord") else {
        return Ok(error("Pair", "MissingValue"));
    };
    let escrow = pairing::new_escrow_bag();
    if let Err(why) = pairing::remember_host(&sim.phone, record, &escrow) {
        return Ok(error("Pair", &why));
    }
    state.trust = Trust::Trusted;
    sim.phone.set_state(&state)?;
    let mut d = ok("Pair");
    d.insert("EscrowBag".into(), Value::Data(escrow));
    Ok(d)
}

fn start_service(sim: &Sim, msg: &Dictionary, in_session: bool) -> Dictionary {
    let service = get_str(msg, "Service").unwrap_or("");
    if !in_session {
        return error("StartService", "SessionInactive");
    }
    if sim.phone.state().locked {
        return error("StartService", "PasswordProtected");
    }
    if !services::known(service) {
        return error("StartService", "InvalidService");
    }
    let port = sim.open_port(service);
    let mut d = ok("StartService");
    d.insert("Service".into(), service.into());
    d.insert("Port".into(), Value::Integer(u64::from(port).into()));
    d.insert("EnableServiceSSL".into(), Value::Boolean(false));
    d
}
