//! Who is asking: the client's IP address as the rate limits count it, from the TCP peer or,
//! behind a trusted proxy, from `X-Forwarded-For`.

use std::net::IpAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderName;

use super::connection::ConnectionHandle;
use super::state::AppState;
use crate::domain::rate_limit::ClientIp;
use crate::error::ApiError;

const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.config.trust_proxy {
            let forwarded = parts
                .headers
                .get_all(FORWARDED_FOR)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .next_back()
                .and_then(|entry| entry.trim().parse::<IpAddr>().ok());
            if forwarded.is_some() {
                return Ok(ClientIp(forwarded));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<ConnectionHandle>>()
            .map(|ConnectInfo(connection)| connection.peer().ip());
        Ok(ClientIp(peer))
    }
}
