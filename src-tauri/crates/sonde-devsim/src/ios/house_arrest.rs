//! `com.apple.mobile.house_arrest`: `{Command: VendContainer | VendDocuments,
//! Identifier: <bundle id>}`. `VendContainer` is answered `{Status:
//! Complete}` for a development build (`developer`, i.e. `get-task-allow`)
//! whose container exists, `VendDocuments` for an app with `file_sharing`
//! (UIFileSharingEnabled); anything else gets `{Error:
//! InstallationLookupFailed}` as iOS answers for release builds and unknown
//! apps. After `Complete` the same connection speaks AFC, rooted at the
//! container (VendDocuments: only `/Documents` is visible).

use super::afc::{self, AfcRoot};
use super::faults::Fault;
use super::link::Link;
use super::plist_io::{self, get_str};
use super::server::Sim;
use super::{plist_service, IosError};

pub async fn serve(sim: &Sim, mut link: Link, start: Option<Fault>) -> Result<(), IosError> {
    sim.finish(start.as_ref()).await?;
    loop {
        let Some(msg) = plist_service::recv(&mut link).await? else {
            return Ok(());
        };
        let command = get_str(&msg, "Command").unwrap_or("").to_string();
        let id = get_str(&msg, "Identifier").unwrap_or("").to_string();
        let fault = sim.step(&format!("house_arrest:{command} {id}")).await?;
        let app = sim.phone.app(&id);
        let container = sim.phone.container(&id);
        let vended = match command.as_str() {
            "VendContainer" => app.as_ref().is_some_and(|a| a.developer && !a.is_system()),
            "VendDocuments" => app.as_ref().is_some_and(|a| a.file_sharing && !a.is_system()),
            _ => {
                let d = plist_io::dict([("Error", "UnknownCommand".into())]);
                plist_service::send(&mut link, &d, fault.as_ref()).await?;
                sim.finish(fault.as_ref()).await?;
                continue;
            }
        };
        let safe_name = !id.is_empty() && !id.contains('/') && !id.starts_with('.');
        if !vended || !safe_name || !container.is_dir() {
            let d = plist_io::dict([("Error", "InstallationLookupFailed".into())]);
            plist_service::send(&mut link, &d, fault.as_ref()).await?;
            sim.finish(fault.as_ref()).await?;
            continue;
        }
        let d = plist_io::dict([("Status", "Complete".into())]);
        plist_service::send(&mut link, &d, fault.as_ref()).await?;
        sim.finish(fault.as_ref()).await?;
        let root = if command == "VendDocuments" {
            std::fs::create_dir_all(container.join("Documents"))?;
            AfcRoot::documents(container)
        } else {
            AfcRoot::whole(container)
        };
        return afc::serve(sim, link, root, start).await;
    }
}
