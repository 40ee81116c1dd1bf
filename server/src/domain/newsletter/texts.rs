//! The newsletter's words: mails and pages in Norwegian bokmål and nynorsk, and English.
//! Plain text only; the pages escape it.

use privacy_widget_core::wire::{self, Lang};

/// The language a text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLanguage {
    Bokmal,
    Nynorsk,
    English,
}

impl TextLanguage {
    /// The widget's language with this tag (`wire::language`); anything else reads bokmål,
    /// the shop's own language.
    pub fn for_tag(tag: &str) -> Self {
        match wire::language(tag) {
            Some(Lang::Nn) => TextLanguage::Nynorsk,
            Some(Lang::En) => TextLanguage::English,
            Some(Lang::Nb) | None => TextLanguage::Bokmal,
        }
    }

    /// The `lang` attribute of a page in this language.
    pub fn html_lang(self) -> &'static str {
        match self {
            TextLanguage::Bokmal => Lang::Nb,
            TextLanguage::Nynorsk => Lang::Nn,
            TextLanguage::English => Lang::En,
        }
        .tag()
    }
}

/// A mail's subject and body.
pub struct MailText {
    pub subject: String,
    pub body: String,
}

/// The double opt-in mail.
pub fn confirmation_mail(
    language: TextLanguage,
    shop: &str,
    confirm_url: &str,
    unsubscribe_url: &str,
    token_ttl_hours: u64,
    pending_ttl_hours: u64,
) -> MailText {
    match language {
        TextLanguage::Bokmal => MailText {
            subject: format!("Bekreft påmeldingen til nyhetsbrevet fra {shop}"),
            body: format!(
                "Hei!\n\n\
                 Noen – forhåpentligvis du – har meldt denne e-postadressen på nyhetsbrevet fra {shop}. \
                 Åpne lenken under og trykk «Bekreft påmeldingen» for å bekrefte:\n\n\
                 {confirm_url}\n\n\
                 Lenken virker i {token_ttl_hours} timer. Bekrefter du ikke, sletter vi adressen \
                 etter {pending_ttl_hours} timer, og du får ingen e-post fra oss.\n\n\
                 Ba du ikke om dette? Da kan du se bort fra e-posten, eller slette adressen med en gang:\n\
                 {unsubscribe_url}\n\n\
                 Vennlig hilsen\n{shop}\n"
            ),
        },
        TextLanguage::Nynorsk => MailText {
            subject: format!("Stadfest påmeldinga til nyheitsbrevet frå {shop}"),
            body: format!(
                "Hei!\n\n\
                 Nokon – forhåpentleg du – har meldt denne e-postadressa på nyheitsbrevet frå {shop}. \
                 Opne lenkja under og trykk «Stadfest påmeldinga» for å stadfeste:\n\n\
                 {confirm_url}\n\n\
                 Lenkja verkar i {token_ttl_hours} timar. Stadfestar du ikkje, slettar vi adressa \
                 etter {pending_ttl_hours} timar, og du får ingen e-post frå oss.\n\n\
                 Bad du ikkje om dette? Då kan du sjå bort frå e-posten, eller slette adressa med ein gong:\n\
                 {unsubscribe_url}\n\n\
                 Venleg helsing\n{shop}\n"
            ),
        },
        TextLanguage::English => MailText {
            subject: format!("Confirm your subscription to the {shop} newsletter"),
            body: format!(
                "Hello,\n\n\
                 Someone – hopefully you – has signed this e-mail address up for the newsletter from {shop}. \
                 Please open this link and press \"Confirm subscription\":\n\n\
                 {confirm_url}\n\n\
                 The link works for {token_ttl_hours} hours. If you do not confirm, we delete the address \
                 after {pending_ttl_hours} hours and you will not hear from us.\n\n\
                 Did not ask for this? Then ignore this e-mail, or delete the address right away:\n\
                 {unsubscribe_url}\n\n\
                 Kind regards,\n{shop}\n"
            ),
        },
    }
}

/// Sent instead of a confirmation when the address is already confirmed.
pub fn already_subscribed_mail(
    language: TextLanguage,
    shop: &str,
    unsubscribe_url: &str,
) -> MailText {
    match language {
        TextLanguage::Bokmal => MailText {
            subject: format!("Du abonnerer allerede på nyhetsbrevet fra {shop}"),
            body: format!(
                "Hei!\n\n\
                 Noen ba om å melde denne e-postadressen på nyhetsbrevet fra {shop}, men adressen er \
                 allerede påmeldt. Du trenger ikke gjøre noe.\n\n\
                 Vil du ikke lenger ha nyhetsbrevet, kan du melde deg av her:\n\
                 {unsubscribe_url}\n\n\
                 Vennlig hilsen\n{shop}\n"
            ),
        },
        TextLanguage::Nynorsk => MailText {
            subject: format!("Du abonnerer alt på nyheitsbrevet frå {shop}"),
            body: format!(
                "Hei!\n\n\
                 Nokon bad om å melde denne e-postadressa på nyheitsbrevet frå {shop}, men adressa er \
                 alt påmeld. Du treng ikkje gjere noko.\n\n\
                 Vil du ikkje lenger ha nyheitsbrevet, kan du melde deg av her:\n\
                 {unsubscribe_url}\n\n\
                 Venleg helsing\n{shop}\n"
            ),
        },
        TextLanguage::English => MailText {
            subject: format!("You are already subscribed to the {shop} newsletter"),
            body: format!(
                "Hello,\n\n\
                 Someone asked to sign this e-mail address up for the newsletter from {shop}, but it is \
                 already subscribed. You do not need to do anything.\n\n\
                 If you no longer want the newsletter, unsubscribe here:\n\
                 {unsubscribe_url}\n\n\
                 Kind regards,\n{shop}\n"
            ),
        },
    }
}

/// The answer to `POST /api/newsletter/unsubscribe`: proof of mailbox ownership first.
pub fn unsubscribe_link_mail(
    language: TextLanguage,
    shop: &str,
    unsubscribe_url: &str,
) -> MailText {
    match language {
        TextLanguage::Bokmal => MailText {
            subject: format!("Meld deg av nyhetsbrevet fra {shop}"),
            body: format!(
                "Hei!\n\n\
                 Vi har fått en forespørsel om å melde denne e-postadressen av nyhetsbrevet fra {shop}. \
                 Åpne lenken under og trykk «Meld meg av» for å bekrefte. Da sletter vi adressen.\n\n\
                 {unsubscribe_url}\n\n\
                 Ba du ikke om dette, kan du se bort fra e-posten.\n\n\
                 Vennlig hilsen\n{shop}\n"
            ),
        },
        TextLanguage::Nynorsk => MailText {
            subject: format!("Meld deg av nyheitsbrevet frå {shop}"),
            body: format!(
                "Hei!\n\n\
                 Vi har fått ein førespurnad om å melde denne e-postadressa av nyheitsbrevet frå {shop}. \
                 Opne lenkja under og trykk «Meld meg av» for å stadfeste. Då slettar vi adressa.\n\n\
                 {unsubscribe_url}\n\n\
                 Bad du ikkje om dette, kan du sjå bort frå e-posten.\n\n\
                 Venleg helsing\n{shop}\n"
            ),
        },
        TextLanguage::English => MailText {
            subject: format!("Unsubscribe from the {shop} newsletter"),
            body: format!(
                "Hello,\n\n\
                 We were asked to remove this e-mail address from the newsletter of {shop}. Open the \
                 link below and press \"Unsubscribe\" to confirm; we then delete the address.\n\n\
                 {unsubscribe_url}\n\n\
                 If you did not ask for this, ignore this e-mail.\n\n\
                 Kind regards,\n{shop}\n"
            ),
        },
    }
}

/// A page's title and paragraphs.
pub struct PageText {
    pub title: &'static str,
    pub paragraphs: Vec<String>,
    pub back_link: &'static str,
}

pub fn confirmed_page(language: TextLanguage, shop: &str) -> PageText {
    match language {
        TextLanguage::Bokmal => PageText {
            title: "Takk! Du er nå påmeldt",
            paragraphs: vec![
                format!("Du får nyhetsbrevet fra {shop} på e-post."),
                "Du kan melde deg av når som helst med lenken nederst i hver e-post.".to_owned(),
            ],
            back_link: "Tilbake til nettbutikken",
        },
        TextLanguage::Nynorsk => PageText {
            title: "Takk! No er du påmeld",
            paragraphs: vec![
                format!("Du får nyheitsbrevet frå {shop} på e-post."),
                "Du kan melde deg av når som helst med lenkja nedst i kvar e-post.".to_owned(),
            ],
            back_link: "Tilbake til nettbutikken",
        },
        TextLanguage::English => PageText {
            title: "Thank you! You are now subscribed",
            paragraphs: vec![
                format!("You will receive the newsletter from {shop} by e-mail."),
                "You can unsubscribe at any time with the link at the bottom of every e-mail."
                    .to_owned(),
            ],
            back_link: "Back to the shop",
        },
    }
}

pub fn expired_page(language: TextLanguage, token_ttl_hours: u64) -> PageText {
    match language {
        TextLanguage::Bokmal => PageText {
            title: "Lenken har utløpt",
            paragraphs: vec![
                format!("Bekreftelseslenken virker bare i {token_ttl_hours} timer, og du er ikke påmeldt."),
                "Meld deg på igjen i nettbutikken, så sender vi en ny lenke.".to_owned(),
            ],
            back_link: "Tilbake til nettbutikken",
        },
        TextLanguage::Nynorsk => PageText {
            title: "Lenkja har gått ut",
            paragraphs: vec![
                format!("Stadfestingslenkja verkar berre i {token_ttl_hours} timar, og du er ikkje påmeld."),
                "Meld deg på att i nettbutikken, så sender vi ei ny lenkje.".to_owned(),
            ],
            back_link: "Tilbake til nettbutikken",
        },
        TextLanguage::English => PageText {
            title: "This link has expired",
            paragraphs: vec![
                format!("A confirmation link works for {token_ttl_hours} hours only, and you are not subscribed."),
                "Sign up again in the shop and we will send you a new link.".to_owned(),
            ],
            back_link: "Back to the shop",
        },
    }
}

pub fn used_page(language: TextLanguage) -> PageText {
    match language {
        TextLanguage::Bokmal => PageText {
            title: "Lenken er allerede brukt",
            paragraphs: vec![
                "Denne bekreftelseslenken er allerede brukt, og den virker bare én gang.".to_owned(),
                "Bekreftet du påmeldingen da, er du påmeldt. Ellers kan du melde deg på igjen i nettbutikken."
                    .to_owned(),
            ],
            back_link: "Tilbake til nettbutikken",
        },
        TextLanguage::Nynorsk => PageText {
            title: "Lenkja er alt brukt",
            paragraphs: vec![
                "Denne stadfestingslenkja er alt brukt, og ho verkar berre éin gong.".to_owned(),
                "Stadfesta du påmeldinga då, er du påmeld. Elles kan du melde deg på att i nettbutikken."
                    .to_owned(),
            ],
            back_link: "Tilbake til nettbutikken",
        },
        TextLanguage::English => PageText {
            title: "This link has already been used",
            paragraphs: vec![
                "This confirmation link has already been used; it works only once.".to_owned(),
                "If you confirmed then, you are subscribed. Otherwise sign up again in the shop."
                    .to_owned(),
            ],
            back_link: "Back to the shop",
        },
    }
}

/// Unknown links carry no language, so this page says it in both.
pub fn unknown_link_page(unsubscribing: bool) -> PageText {
    let (nb, en) = if unsubscribing {
        (
            "Vi fant ikke denne avmeldingslenken. Kanskje du allerede er avmeldt, eller lenken ble kuttet i e-posten. Du kan også melde deg av fra nettbutikken.",
            "We could not find this unsubscribe link. Perhaps you have already unsubscribed, or the link was cut off in the e-mail. You can also unsubscribe in the shop.",
        )
    } else {
        (
            "Vi fant ikke denne bekreftelseslenken. Den kan være kuttet i e-posten, erstattet av en nyere e-post, eller adressen er slettet fordi den ikke ble bekreftet i tide. Meld deg på igjen i nettbutikken.",
            "We could not find this confirmation link. It may have been cut off in the e-mail or replaced by a newer one, or the address was deleted because it was not confirmed in time. Please sign up again in the shop.",
        )
    };
    PageText {
        title: "Ukjent lenke / Unknown link",
        paragraphs: vec![nb.to_owned(), en.to_owned()],
        back_link: "Tilbake til nettbutikken / Back to the shop",
    }
}

/// A page that asks for one click, and its button (the links in mails only show it, since
/// mail scanners open them too).
pub struct FormPageText {
    pub page: PageText,
    pub button: &'static str,
}

pub fn confirm_form(language: TextLanguage, shop: &str) -> FormPageText {
    match language {
        TextLanguage::Bokmal => FormPageText {
            page: PageText {
                title: "Bekreft påmeldingen",
                paragraphs: vec![
                    format!("Trykk på knappen for å bekrefte at du vil ha nyhetsbrevet fra {shop} på e-post."),
                    "Har du ikke meldt deg på selv, kan du bare lukke siden. Da blir du ikke påmeldt.".to_owned(),
                ],
                back_link: "Tilbake til nettbutikken",
            },
            button: "Bekreft påmeldingen",
        },
        TextLanguage::Nynorsk => FormPageText {
            page: PageText {
                title: "Stadfest påmeldinga",
                paragraphs: vec![
                    format!("Trykk på knappen for å stadfeste at du vil ha nyheitsbrevet frå {shop} på e-post."),
                    "Har du ikkje meldt deg på sjølv, kan du berre lukke sida. Då blir du ikkje påmeld.".to_owned(),
                ],
                back_link: "Tilbake til nettbutikken",
            },
            button: "Stadfest påmeldinga",
        },
        TextLanguage::English => FormPageText {
            page: PageText {
                title: "Confirm your subscription",
                paragraphs: vec![
                    format!("Press the button to confirm that you want the newsletter from {shop} by e-mail."),
                    "If you did not sign up yourself, just close this page: you will not be subscribed.".to_owned(),
                ],
                back_link: "Back to the shop",
            },
            button: "Confirm subscription",
        },
    }
}

pub fn unsubscribe_form(language: TextLanguage, shop: &str) -> FormPageText {
    match language {
        TextLanguage::Bokmal => FormPageText {
            page: PageText {
                title: "Meld deg av nyhetsbrevet",
                paragraphs: vec![format!(
                    "Trykk på knappen for å melde deg av nyhetsbrevet fra {shop}. Vi sletter da e-postadressen din fra listen."
                )],
                back_link: "Tilbake til nettbutikken",
            },
            button: "Meld meg av",
        },
        TextLanguage::Nynorsk => FormPageText {
            page: PageText {
                title: "Meld deg av nyheitsbrevet",
                paragraphs: vec![format!(
                    "Trykk på knappen for å melde deg av nyheitsbrevet frå {shop}. Vi slettar då e-postadressa di frå lista."
                )],
                back_link: "Tilbake til nettbutikken",
            },
            button: "Meld meg av",
        },
        TextLanguage::English => FormPageText {
            page: PageText {
                title: "Unsubscribe from the newsletter",
                paragraphs: vec![format!(
                    "Press the button to unsubscribe from the newsletter of {shop}. We then delete your e-mail address from the list."
                )],
                back_link: "Back to the shop",
            },
            button: "Unsubscribe",
        },
    }
}

pub fn unsubscribed_page(language: TextLanguage, shop: &str) -> PageText {
    match language {
        TextLanguage::Bokmal => PageText {
            title: "Du er nå avmeldt",
            paragraphs: vec![format!(
                "Vi har slettet e-postadressen din fra nyhetsbrevlisten til {shop}. Du får ingen flere nyhetsbrev fra oss."
            )],
            back_link: "Tilbake til nettbutikken",
        },
        TextLanguage::Nynorsk => PageText {
            title: "No er du avmeld",
            paragraphs: vec![format!(
                "Vi har sletta e-postadressa di frå nyheitsbrevlista til {shop}. Du får ikkje fleire nyheitsbrev frå oss."
            )],
            back_link: "Tilbake til nettbutikken",
        },
        TextLanguage::English => PageText {
            title: "You are now unsubscribed",
            paragraphs: vec![format!(
                "We have deleted your e-mail address from the newsletter list of {shop}. You will not receive any more newsletters from us."
            )],
            back_link: "Back to the shop",
        },
    }
}
