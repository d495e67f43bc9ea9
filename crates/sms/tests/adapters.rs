//! Adapter → imitation over real HTTP on loopback: what the outbox will see from each provider.

use std::time::Duration;

use hallkeeper_sms::imitation::{
    AlibabaImitation, AlibabaImitationConfig, Fault, TencentImitation, TencentImitationConfig,
};
use hallkeeper_sms::provider::{AlibabaConfig, AlibabaSms, TencentConfig, TencentSms};
use hallkeeper_sms::{OutgoingSms, Phone, SmsProvider, Template, TemplateValues};

fn message(template_id: &str, ticket: &str) -> OutgoingSms {
    let template = Template::parse("请{ticket}号到{window}号窗口").unwrap();
    let values = TemplateValues::sample().with(hallkeeper_sms::Placeholder::Ticket, ticket);
    OutgoingSms {
        phone: Phone::parse("138 1234 5678").unwrap(),
        sign_name: "市民中心".into(),
        template_id: template_id.into(),
        params: template.params(&values).unwrap(),
        text: hallkeeper_sms::segments::signed_text("市民中心", &template.render(&values).unwrap()),
        idempotency_key: format!("outbox-{ticket}"),
    }
}

async fn alibaba(config: AlibabaImitationConfig) -> (AlibabaImitation, AlibabaSms) {
    let imitation = AlibabaImitation::start(config.clone()).await.unwrap();
    let adapter = AlibabaSms::new(
        AlibabaConfig::new(config.access_key_id, config.access_key_secret)
            .with_endpoint(imitation.base_url())
            .with_timeout(Duration::from_millis(500)),
    )
    .unwrap();
    (imitation, adapter)
}

async fn tencent(config: TencentImitationConfig) -> (TencentImitation, TencentSms) {
    let imitation = TencentImitation::start(config.clone()).await.unwrap();
    let adapter = TencentSms::new(
        TencentConfig::new(config.secret_id, config.secret_key, config.sdk_app_id)
            .with_endpoint(imitation.base_url())
            .with_timeout(Duration::from_millis(500)),
    )
    .unwrap();
    (imitation, adapter)
}

#[tokio::test]
async fn alibaba_sends_and_is_recorded() {
    let (imitation, adapter) = alibaba(AlibabaImitationConfig::default()).await;
    let receipt = adapter.send(&message("SMS_100001", "A023")).await.unwrap();
    assert_eq!(receipt.provider, "alibaba");
    assert!(!receipt.message_id.is_empty());
    let accepted = imitation.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].phone, "13812345678");
    assert_eq!(accepted[0].sign_name, "市民中心");
    assert_eq!(accepted[0].idempotency_key, "outbox-A023");
    assert_eq!(accepted[0].params, vec![("ticket".into(), "A023".into()), ("window".into(), "12".into())]);
    assert_eq!(accepted[0].message_id, receipt.message_id);
}

#[tokio::test]
async fn alibaba_wrong_secret_is_refused_as_signature_mismatch() {
    let config = AlibabaImitationConfig::default();
    let imitation = AlibabaImitation::start(config.clone()).await.unwrap();
    let adapter = AlibabaSms::new(
        AlibabaConfig::new(config.access_key_id, "not-the-secret").with_endpoint(imitation.base_url()),
    )
    .unwrap();
    let err = adapter.send(&message("SMS_100001", "A1")).await.unwrap_err();
    assert_eq!(err.code(), "SignatureDoesNotMatch");
    assert!(!err.is_retryable());
    assert!(err.is_account_wide());
    assert!(imitation.accepted().is_empty());
}

#[tokio::test]
async fn alibaba_unknown_key_and_bad_template() {
    let config = AlibabaImitationConfig::default();
    let imitation = AlibabaImitation::start(config.clone()).await.unwrap();
    let adapter =
        AlibabaSms::new(AlibabaConfig::new("LTAI-other", "x").with_endpoint(imitation.base_url())).unwrap();
    assert_eq!(
        adapter.send(&message("SMS_100001", "A1")).await.unwrap_err().code(),
        "InvalidAccessKeyId.NotFound"
    );

    let (_imitation, adapter) = alibaba(AlibabaImitationConfig::default()).await;
    let err = adapter.send(&message("SMS_999", "A1")).await.unwrap_err();
    assert_eq!(err.code(), "isv.SMS_TEMPLATE_ILLEGAL");
    assert!(err.is_account_wide());
    let mut msg = message("SMS_100001", "A1");
    msg.params.pop();
    let err = adapter.send(&msg).await.unwrap_err();
    assert_eq!(err.code(), "isv.TEMPLATE_MISSING_PARAMETERS");
    assert!(!err.is_retryable() && !err.is_account_wide());
}

#[tokio::test]
async fn alibaba_daily_flow_control_is_permanent_for_the_message() {
    let (imitation, adapter) =
        alibaba(AlibabaImitationConfig { daily_limit_per_number: Some(2), ..Default::default() }).await;
    adapter.send(&message("SMS_100001", "A1")).await.unwrap();
    adapter.send(&message("SMS_100001", "A2")).await.unwrap();
    let err = adapter.send(&message("SMS_100001", "A3")).await.unwrap_err();
    assert_eq!(err.code(), "isv.BUSINESS_LIMIT_CONTROL");
    assert!(!err.is_retryable());
    assert!(!err.is_account_wide());
    imitation.reset_day();
    adapter.send(&message("SMS_100001", "A4")).await.unwrap();
    assert_eq!(imitation.accepted().len(), 3);
}

#[tokio::test]
async fn alibaba_5xx_and_timeout_are_retryable() {
    let (imitation, adapter) = alibaba(AlibabaImitationConfig::default()).await;
    imitation.fail_next([Fault::ServerError, Fault::Hang(Duration::from_secs(3))]);
    let err = adapter.send(&message("SMS_100001", "A1")).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.code(), "InternalError");
    let err = adapter.send(&message("SMS_100001", "A1")).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.code(), "network.timeout");
    assert!(!err.message().contains("13812345678"), "{err}");
    adapter.send(&message("SMS_100001", "A1")).await.unwrap();
    assert_eq!(imitation.accepted().len(), 1);
    assert_eq!(imitation.requests(), 3);
}

#[tokio::test]
async fn alibaba_clock_skew_is_refused() {
    let (_imitation, adapter) =
        alibaba(AlibabaImitationConfig { clock_offset: chrono::Duration::minutes(20), ..Default::default() })
            .await;
    assert_eq!(
        adapter.send(&message("SMS_100001", "A1")).await.unwrap_err().code(),
        "InvalidTimeStamp.Expired"
    );
}

#[tokio::test]
async fn tencent_sends_and_is_recorded() {
    let (imitation, adapter) = tencent(TencentImitationConfig::default()).await;
    let receipt = adapter.send(&message("100001", "A023")).await.unwrap();
    assert_eq!(receipt.provider, "tencent");
    assert_eq!(receipt.fee, Some(1));
    let accepted = imitation.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].phone, "+8613812345678");
    assert_eq!(accepted[0].params, vec![("1".into(), "A023".into()), ("2".into(), "12".into())]);
    assert_eq!(accepted[0].idempotency_key, "outbox-A023");
    assert_eq!(accepted[0].message_id, receipt.message_id);
}

#[tokio::test]
async fn tencent_wrong_secret_is_refused_with_signature_failure() {
    let config = TencentImitationConfig::default();
    let imitation = TencentImitation::start(config.clone()).await.unwrap();
    let adapter = TencentSms::new(
        TencentConfig::new(config.secret_id, "wrong", config.sdk_app_id).with_endpoint(imitation.base_url()),
    )
    .unwrap();
    let err = adapter.send(&message("100001", "A1")).await.unwrap_err();
    assert_eq!(err.code(), "AuthFailure.SignatureFailure");
    assert!(err.is_account_wide());
    assert!(imitation.accepted().is_empty());
}

#[tokio::test]
async fn tencent_rate_limits_map() {
    let (imitation, adapter) = tencent(TencentImitationConfig::default()).await;
    adapter.send(&message("100001", "A1")).await.unwrap();
    // Same content again within 30 s: retry after the window.
    let err = adapter.send(&message("100001", "A1")).await.unwrap_err();
    assert_eq!(err.code(), "LimitExceeded.PhoneNumberThirtySecondLimit");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    adapter.send(&message("100001", "A2")).await.unwrap();
    // Third message of the day under the default of 2: permanent for this message.
    let err = adapter.send(&message("100001", "A3")).await.unwrap_err();
    assert_eq!(err.code(), "LimitExceeded.PhoneNumberDailyLimit");
    assert!(!err.is_retryable() && !err.is_account_wide());
    imitation.set_daily_limit(None);
    adapter.send(&message("100001", "A3")).await.unwrap();
    assert_eq!(imitation.accepted().len(), 3);
}

#[tokio::test]
async fn tencent_5xx_and_timeout_are_retryable() {
    let (imitation, adapter) = tencent(TencentImitationConfig::default()).await;
    imitation.fail_next([Fault::ServerError, Fault::Hang(Duration::from_secs(3))]);
    let err = adapter.send(&message("100001", "A1")).await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(err.code(), "http.502");
    let err = adapter.send(&message("100001", "A1")).await.unwrap_err();
    assert_eq!(err.code(), "network.timeout");
    adapter.send(&message("100001", "A1")).await.unwrap();
    assert_eq!(imitation.accepted().len(), 1);
}

#[tokio::test]
async fn tencent_request_level_errors() {
    let (_imitation, adapter) =
        tencent(TencentImitationConfig { clock_offset: chrono::Duration::minutes(6), ..Default::default() })
            .await;
    assert_eq!(
        adapter.send(&message("100001", "A1")).await.unwrap_err().code(),
        "AuthFailure.SignatureExpire"
    );

    let (_imitation, adapter) = tencent(TencentImitationConfig::default()).await;
    let err = adapter.send(&message("999", "A1")).await.unwrap_err();
    assert_eq!(err.code(), "FailedOperation.TemplateIncorrectOrUnapproved");
    assert!(err.is_account_wide());
    let mut msg = message("100001", "A1");
    msg.params.pop();
    let err = adapter.send(&msg).await.unwrap_err();
    assert_eq!(err.code(), "FailedOperation.TemplateParamSetNotMatchApprovedTemplate");
    assert!(!err.is_account_wide());
    let mut msg = message("100001", "A1");
    msg.sign_name = "别的签名".into();
    assert_eq!(
        adapter.send(&msg).await.unwrap_err().code(),
        "FailedOperation.SignatureIncorrectOrUnapproved"
    );
}

#[tokio::test]
async fn adapters_work_behind_dyn_provider() {
    let (_a, alibaba) = alibaba(AlibabaImitationConfig::default()).await;
    let (_t, tencent) = tencent(TencentImitationConfig::default()).await;
    let providers: Vec<Box<dyn SmsProvider>> = vec![Box::new(alibaba), Box::new(tencent)];
    for (p, template) in providers.iter().zip(["SMS_100001", "100001"]) {
        p.send(&message(template, "B7")).await.unwrap();
    }
}
