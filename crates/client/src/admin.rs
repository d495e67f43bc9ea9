//! The hall's administration as the desktop speaks it, besides sync: make sure the hall exists,
//! put the hall's configuration (windows, catalog, bindings, SMS rules), move the waiting
//! tickets, the hall's devices (list, add with a pairing code, new code, rename or rebind,
//! revoke), the hall's accounts (人员与权限: list, create, update, reset), and the plain reads
//! and writes the SMS pages make. Every URL is the hall's
//! ([`Endpoint::hall_url`]), every answer read by the one classifier.

use crate::api::{Answer, Api, Credential, Method, CALL_TIMEOUT};
use crate::error::ClientError;
use crate::url::{halls_url, Endpoint};
use hallkeeper_core::proto::{
    Account, AccountInput, AccountUpdate, Device, DeviceInput, DeviceUpdate, HallConfig, HallInput,
    MoveWaitingOutcome, MoveWaitingRequest, PairingCode, PasswordReset,
};
use reqwest::Url;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The server's answer to a hall that exists already.
const CONFLICT: u16 = 409;

pub struct AdminClient {
    endpoint: Endpoint,
    api: Api,
}

impl AdminClient {
    pub fn new(endpoint: Endpoint) -> Self {
        let credential = Credential::new(&endpoint.admin_token);
        Self::with_credential(endpoint, credential)
    }

    /// Calls sent with whatever `credential` holds at the time (the signed-in person's session);
    /// the endpoint's `admin_token` is not used.
    pub fn with_credential(endpoint: Endpoint, credential: Credential) -> Self {
        let endpoint = endpoint.trimmed();
        let http = reqwest::Client::builder().timeout(CALL_TIMEOUT).build().unwrap_or_default();
        let api = Api::with_credential(credential, http);
        Self { endpoint, api }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The transport with the admin token, for calls outside the hall's admin API.
    pub fn api(&self) -> &Api {
        &self.api
    }

    fn url(&self, path: &str) -> Result<Url, ClientError> {
        self.endpoint.hall_url(path)
    }

    /// Creates the hall, named `name`; a hall that exists already is left as it is.
    pub async fn ensure_hall(&self, name: &str) -> Result<(), ClientError> {
        let input = HallInput { id: self.endpoint.hall_id.clone(), name: name.to_owned() };
        let url = halls_url(&self.endpoint.base_url)?;
        let answer = self.api.exchange(Method::Post, url, Some(&input)).await?;
        if answer.status == CONFLICT {
            return Ok(());
        }
        answer.done()
    }

    /// Puts the hall's configuration, replacing the server's.
    pub async fn put_config(&self, config: &HallConfig) -> Result<(), ClientError> {
        self.api.exchange(Method::Put, self.url("config")?, Some(config)).await?.done()
    }

    /// Sends every ticket waiting for the matter to the window, each keeping its number and
    /// place (整队转移).
    pub async fn move_waiting(
        &self,
        request: &MoveWaitingRequest,
    ) -> Result<MoveWaitingOutcome, ClientError> {
        self.post("queue/move-waiting", request).await
    }

    /// `GET <hall>/<path>`, read as the JSON `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.api.get(self.url(path)?).await
    }

    /// `POST <hall>/<path>` with a JSON body, read as the JSON `T`.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        self.api.post(self.url(path)?, body).await
    }

    /// `<method> <hall>/<path>`, the answer as it came (for a caller that wants its status).
    pub async fn exchange<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Answer, ClientError> {
        self.api.exchange(method, self.url(path)?, body).await
    }

    /// `<hall>/devices/<device id>[/<tail>]`, the id one escaped segment whatever it holds.
    fn device_url(&self, device_id: &str, tail: Option<&str>) -> Result<Url, ClientError> {
        self.item_url("devices", device_id, tail)
    }

    /// `<hall>/<collection>/<id>[/<tail>]`, the id one escaped segment whatever it holds.
    fn item_url(&self, collection: &str, id: &str, tail: Option<&str>) -> Result<Url, ClientError> {
        let mut url = self.url(collection)?;
        let bad = || ClientError::BadUrl { url: self.endpoint.base_url.clone() };
        {
            let mut segments = url.path_segments_mut().map_err(|_| bad())?;
            segments.push(id);
            if let Some(tail) = tail {
                segments.push(tail);
            }
        }
        Ok(url)
    }

    /// The hall's devices, revoked ones included, in the order they were added.
    pub async fn devices(&self) -> Result<Vec<Device>, ClientError> {
        self.get("devices").await
    }

    /// Adds a device that gets its token by pairing: the device as listed and its one-time code.
    pub async fn add_device_for_pairing(&self, input: &DeviceInput) -> Result<PairingCode, ClientError> {
        self.post("pairings", input).await
    }

    /// A new pairing code for a listed device; when the device uses it, its token is replaced.
    pub async fn new_pairing_code(&self, device_id: &str) -> Result<PairingCode, ClientError> {
        let url = self.device_url(device_id, Some("pairing"))?;
        self.api.exchange(Method::Post, url, crate::api::NO_BODY).await?.json()
    }

    /// Renames a device or binds it to another window; the device as it is now.
    pub async fn update_device(&self, device_id: &str, update: &DeviceUpdate) -> Result<Device, ClientError> {
        let url = self.device_url(device_id, None)?;
        self.api.exchange(Method::Patch, url, Some(update)).await?.json()
    }

    /// Revokes a device: its next request is refused (401).
    pub async fn revoke_device(&self, device_id: &str) -> Result<(), ClientError> {
        let url = self.device_url(device_id, None)?;
        self.api.exchange(Method::Delete, url, crate::api::NO_BODY).await?.done()
    }

    /// The accounts holding a role in the hall (a 大厅管理员's view; docs/accounts.md).
    pub async fn accounts(&self) -> Result<Vec<Account>, ClientError> {
        self.get("accounts").await
    }

    /// A new account with a first password; the server sets `mustChangePassword` and refuses a
    /// grant above the caller's own (`access.grant_forbidden`) or a weak password (`password.*`).
    pub async fn create_account(&self, input: &AccountInput) -> Result<Account, ClientError> {
        self.post("accounts", input).await
    }

    /// Changes an account's name, staff link, grants or active state; the account as it is now.
    pub async fn update_account(
        &self,
        account_id: &str,
        update: &AccountUpdate,
    ) -> Result<Account, ClientError> {
        let url = self.item_url("accounts", account_id, None)?;
        self.api.exchange(Method::Patch, url, Some(update)).await?.json()
    }

    /// Sets a temporary password: the person must change it at their next sign-in, and their
    /// sessions end.
    pub async fn reset_account_password(
        &self,
        account_id: &str,
        reset: &PasswordReset,
    ) -> Result<(), ClientError> {
        let url = self.item_url("accounts", account_id, Some("reset"))?;
        self.api.exchange(Method::Post, url, Some(reset)).await?.done()
    }
}
