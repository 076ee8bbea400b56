//! The services lockdownd starts, each on its own port (`StartService`):
//!
//! * `com.apple.mobile.installation_proxy` — [`super::instproxy`]
//! * `com.apple.mobile.house_arrest` — [`super::house_arrest`], then AFC
//!   in the app's container
//! * `com.apple.afc` — AFC on the media partition (`media/`)
//! * `com.apple.crashreportmover` — says `ping` (crash logs are moved
//!   already) and closes
//! * `com.apple.crashreportcopymobile` — AFC on `crashes/`

use super::afc::{self, AfcRoot};
use super::link::Link;
use super::server::Sim;
use super::{house_arrest, instproxy, IosError};

pub const INSTALLATION_PROXY: &str = "com.apple.mobile.installation_proxy";
pub const HOUSE_ARREST: &str = "com.apple.mobile.house_arrest";
pub const AFC: &str = "com.apple.afc";
pub const CRASH_MOVER: &str = "com.apple.crashreportmover";
pub const CRASH_COPY: &str = "com.apple.crashreportcopymobile";

pub fn known(service: &str) -> bool {
    [INSTALLATION_PROXY, HOUSE_ARREST, AFC, CRASH_MOVER, CRASH_COPY].contains(&service)
}

pub async fn serve(sim: &Sim, mut link: Link, service: &str) -> Result<(), IosError> {
    let fault = sim.step(&format!("service:{service}")).await?;
    match service {
        INSTALLATION_PROXY => instproxy::serve(sim, link, fault).await,
        HOUSE_ARREST => house_arrest::serve(sim, link, fault).await,
        AFC => {
            let root = sim.phone.media();
            std::fs::create_dir_all(&root)?;
            afc::serve(sim, link, AfcRoot::whole(root), fault).await
        }
        CRASH_MOVER => {
            link.write_faulted(b"ping", fault.as_ref()).await?;
            sim.finish(fault.as_ref()).await
        }
        CRASH_COPY => {
            let root = sim.phone.crashes();
            std::fs::create_dir_all(&root)?;
            afc::serve(sim, link, AfcRoot::whole(root), fault).await
        }
        _ => Err(IosError::Protocol(format!("unknown service {service}"))),
    }
}
