//! The interface texts in bokmål, nynorsk and English, and the shop's overrides.
//! Every text has a stable camelCase key; the config's `texts.<lang>.<key>` replaces it.

use crate::lang::Lang;

macro_rules! catalogue {
    ($( $variant:ident = $key:literal { nb: $nb:literal, nn: $nn:literal, en: $en:literal } )*) => {
        /// One interface text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum TextKey { $( $variant, )* }

        impl TextKey {
            pub const ALL: &'static [TextKey] = &[ $( TextKey::$variant, )* ];

            /// The key shops use in `texts` overrides.
            pub fn name(self) -> &'static str {
                match self { $( TextKey::$variant => $key, )* }
            }

            /// The built-in text in `lang`.
            pub fn default_text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (TextKey::$variant, Lang::Nb) => $nb,
                        (TextKey::$variant, Lang::Nn) => $nn,
                        (TextKey::$variant, Lang::En) => $en,
                    )*
                }
            }
        }
    };
}

catalogue! {
    BannerTitle = "bannerTitle" {
        nb: "Vi tar vare på personvernet ditt",
        nn: "Vi tek vare på personvernet ditt",
        en: "We respect your privacy"
    }
    BannerText = "bannerText" {
        nb: "Vi bruker nødvendige informasjonskapsler for at nettbutikken skal fungere. Med ditt samtykke bruker vi også verktøy som hjelper oss å forbedre butikken. Du velger selv, og du kan endre valget når som helst.",
        nn: "Vi bruker naudsynte informasjonskapslar for at nettbutikken skal fungere. Med samtykket ditt bruker vi òg verktøy som hjelper oss å gjere butikken betre. Du vel sjølv, og du kan endre valet når som helst.",
        en: "We use necessary cookies to make the shop work. With your consent we also use tools that help us improve it. The choice is yours, and you can change it at any time."
    }
    AcceptAll = "acceptAll" { nb: "Godta alle", nn: "Godta alle", en: "Accept all" }
    RejectAll = "rejectAll" { nb: "Avvis alle", nn: "Avvis alle", en: "Reject all" }
    Settings = "settings" { nb: "Tilpass", nn: "Tilpass", en: "Customise" }
    PrivacyStatement = "privacyStatement" {
        nb: "Personvernerklæring",
        nn: "Personvernerklæring",
        en: "Privacy statement"
    }
    PreferencesTitle = "preferencesTitle" {
        nb: "Personverninnstillinger",
        nn: "Personverninnstillingar",
        en: "Privacy settings"
    }
    PreferencesIntro = "preferencesIntro" {
        nb: "Velg hva vi kan bruke. Nødvendige informasjonskapsler er alltid på fordi butikken ikke virker uten dem. Alt annet er av til du slår det på.",
        nn: "Vel kva vi kan bruke. Naudsynte informasjonskapslar er alltid på fordi butikken ikkje verkar utan dei. Alt anna er av til du slår det på.",
        en: "Choose what we may use. Necessary cookies are always on because the shop does not work without them. Everything else stays off until you switch it on."
    }
    SaveChoices = "saveChoices" { nb: "Lagre valgene", nn: "Lagre vala", en: "Save choices" }
    Close = "close" { nb: "Lukk", nn: "Lukk", en: "Close" }
    AlwaysOn = "alwaysOn" { nb: "Alltid på", nn: "Alltid på", en: "Always on" }
    Provider = "provider" { nb: "Leverandør", nn: "Leverandør", en: "Provider" }
    Purpose = "purpose" { nb: "Formål", nn: "Føremål", en: "Purpose" }
    Cookies = "cookies" { nb: "Informasjonskapsler", nn: "Informasjonskapslar", en: "Cookies" }
    Saved = "saved" { nb: "Valget ditt er lagret.", nn: "Valet ditt er lagra.", en: "Your choice has been saved." }
    GpcNotice = "gpcNotice" {
        nb: "Nettleseren din ber om at du ikke spores (Global Privacy Control). Derfor er alt som ikke er nødvendig, slått av.",
        nn: "Nettlesaren din ber om at du ikkje blir spora (Global Privacy Control). Difor er alt som ikkje er naudsynt, slått av.",
        en: "Your browser asks not to be tracked (Global Privacy Control). Everything that is not necessary is therefore switched off."
    }
    ReopenButton = "reopenButton" {
        nb: "Personverninnstillinger",
        nn: "Personverninnstillingar",
        en: "Privacy settings"
    }
    PlaceholderText = "placeholderText" {
        nb: "Dette innholdet fra {service} vises ikke fordi du ikke har samtykket til {category}.",
        nn: "Dette innhaldet frå {service} blir ikkje vist fordi du ikkje har samtykt til {category}.",
        en: "This content from {service} is not shown because you have not consented to {category}."
    }
    PlaceholderCategoryText = "placeholderCategoryText" {
        nb: "Dette innholdet vises ikke fordi du ikke har samtykket til {category}.",
        nn: "Dette innhaldet blir ikkje vist fordi du ikkje har samtykt til {category}.",
        en: "This content is not shown because you have not consented to {category}."
    }
    PlaceholderSettings = "placeholderSettings" { nb: "Åpne innstillinger", nn: "Opne innstillingar", en: "Open settings" }
    PlaceholderAccept = "placeholderAccept" { nb: "Tillat {service}", nn: "Tillat {service}", en: "Allow {service}" }
    ReceiptTitle = "receiptTitle" { nb: "Samtykkekvittering", nn: "Samtykkekvittering", en: "Consent receipt" }
    ReceiptId = "receiptId" { nb: "Samtykke-ID", nn: "Samtykke-ID", en: "Consent ID" }
    ReceiptTime = "receiptTime" { nb: "Tidspunkt", nn: "Tidspunkt", en: "Time" }
    ReceiptRevision = "receiptRevision" { nb: "Versjon av erklæringen", nn: "Versjon av fråsegna", en: "Statement revision" }
    ReceiptHash = "receiptHash" { nb: "Kontrollsum for tekstene du så", nn: "Kontrollsum for tekstane du såg", en: "Checksum of the texts you saw" }
    ReceiptDownload = "receiptDownload" { nb: "Last ned kvittering", nn: "Last ned kvittering", en: "Download receipt" }
    ReceiptNone = "receiptNone" { nb: "Du har ikke tatt et valg ennå.", nn: "Du har ikkje teke eit val enno.", en: "You have not made a choice yet." }
    Granted = "granted" { nb: "Tillatt", nn: "Tillate", en: "Allowed" }
    Denied = "denied" { nb: "Ikke tillatt", nn: "Ikkje tillate", en: "Not allowed" }
    ViaGpc = "viaGpc" { nb: "satt av GPC-signalet", nn: "sett av GPC-signalet", en: "set by the GPC signal" }
    StatementContents = "statementContents" { nb: "Innhold", nn: "Innhald", en: "Contents" }
    StatementVersion = "statementVersion" { nb: "Versjon {revision}, gjelder fra {date}", nn: "Versjon {revision}, gjeld frå {date}", en: "Version {revision}, effective {date}" }
    StatementPrint = "statementPrint" { nb: "Skriv ut", nn: "Skriv ut", en: "Print" }
    StatementCopyLink = "statementCopyLink" { nb: "Kopier lenke til «{section}»", nn: "Kopier lenkje til «{section}»", en: "Copy link to “{section}”" }
    StatementLinkCopied = "statementLinkCopied" { nb: "Lenken er kopiert.", nn: "Lenkja er kopiert.", en: "Link copied." }
    StatementUnavailable = "statementUnavailable" {
        nb: "Personvernerklæringen kunne ikke vises her. Les den på personvernsiden vår.",
        nn: "Personvernerklæringa kunne ikkje visast her. Les ho på personvernsida vår.",
        en: "The privacy statement could not be shown here. Read it on our privacy page."
    }
    StatementLanguage = "statementLanguage" { nb: "Språk", nn: "Språk", en: "Language" }
    StatementWhatChanged = "statementWhatChanged" {
        nb: "Se hva som er endret siden du sist samtykket",
        nn: "Sjå kva som er endra sidan du sist samtykte",
        en: "See what changed since you last consented"
    }
    StatementChangesTitle = "statementChangesTitle" { nb: "Endringer siden versjon {revision}", nn: "Endringar sidan versjon {revision}", en: "Changes since version {revision}" }
    StatementBackToReading = "statementBackToReading" { nb: "Vis hele erklæringen", nn: "Vis heile fråsegna", en: "Show the whole statement" }
    StatementAdded = "statementAdded" { nb: "Ny del", nn: "Ny del", en: "New section" }
    StatementRemoved = "statementRemoved" { nb: "Fjernet del", nn: "Fjerna del", en: "Removed section" }
    StatementChanged = "statementChanged" { nb: "Endret", nn: "Endra", en: "Changed" }
    StatementUnchanged = "statementUnchanged" { nb: "Uendret", nn: "Uendra", en: "Unchanged" }
    StatementInserted = "statementInserted" { nb: "lagt til", nn: "lagt til", en: "added" }
    StatementDeleted = "statementDeleted" { nb: "fjernet", nn: "fjerna", en: "removed" }
    YourChoices = "yourChoices" { nb: "Dine valg nå", nn: "Vala dine no", en: "Your choices now" }
    ChangeChoices = "changeChoices" { nb: "Endre valgene", nn: "Endre vala", en: "Change choices" }
    ContactEmail = "contactEmail" { nb: "E-post", nn: "E-post", en: "E-mail" }
    ContactPhone = "contactPhone" { nb: "Telefon", nn: "Telefon", en: "Phone" }
    ContactWeb = "contactWeb" { nb: "Nettsted", nn: "Nettstad", en: "Website" }
    CategoryNecessary = "category.necessary" { nb: "Nødvendige", nn: "Naudsynte", en: "Necessary" }
    CategoryNecessaryText = "category.necessary.description" {
        nb: "Får nettbutikken til å virke: handlekurv, innlogging, språkvalg og lagring av dette valget. Kan ikke slås av.",
        nn: "Får nettbutikken til å verke: handlekorg, innlogging, språkval og lagring av dette valet. Kan ikkje slåast av.",
        en: "Make the shop work: cart, login, language choice and remembering this choice. Cannot be switched off."
    }
    CategoryFunctional = "category.functional" { nb: "Funksjonelle", nn: "Funksjonelle", en: "Functional" }
    CategoryFunctionalText = "category.functional.description" {
        nb: "Husker innstillinger og gir ekstra funksjoner, som innebygde kart og videoer.",
        nn: "Hugsar innstillingar og gjev ekstra funksjonar, som innebygde kart og videoar.",
        en: "Remember settings and provide extras such as embedded maps and videos."
    }
    CategoryAnalytics = "category.analytics" { nb: "Statistikk", nn: "Statistikk", en: "Analytics" }
    CategoryAnalyticsText = "category.analytics.description" {
        nb: "Hjelper oss å forstå hvordan butikken brukes, slik at vi kan gjøre den bedre. Vi kan ikke identifisere deg i statistikken.",
        nn: "Hjelper oss å forstå korleis butikken blir brukt, slik at vi kan gjere han betre. Vi kan ikkje identifisere deg i statistikken.",
        en: "Help us understand how the shop is used so we can improve it. We cannot identify you in the statistics."
    }
    CategoryMarketing = "category.marketing" { nb: "Markedsføring", nn: "Marknadsføring", en: "Marketing" }
    CategoryMarketingText = "category.marketing.description" {
        nb: "Brukes til å vise deg relevante tilbud, også på andre nettsteder.",
        nn: "Blir brukt til å vise deg relevante tilbod, òg på andre nettstader.",
        en: "Used to show you relevant offers, also on other websites."
    }
}

/// Built-in titles and descriptions exist for these category ids; other ids need their own.
pub fn category_defaults(id: &str) -> Option<(TextKey, TextKey)> {
    match id {
        "necessary" => Some((TextKey::CategoryNecessary, TextKey::CategoryNecessaryText)),
        "functional" => Some((TextKey::CategoryFunctional, TextKey::CategoryFunctionalText)),
        "analytics" => Some((TextKey::CategoryAnalytics, TextKey::CategoryAnalyticsText)),
        "marketing" => Some((TextKey::CategoryMarketing, TextKey::CategoryMarketingText)),
        _ => None,
    }
}

impl TextKey {
    pub fn from_name(name: &str) -> Option<TextKey> {
        TextKey::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// Replaces `{name}` placeholders; unknown placeholders are left as they are.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let replaced = after.find('}').and_then(|close| {
            let name = &after[..close];
            values.iter().find(|(k, _)| *k == name).map(|(_, v)| (v, close))
        });
        match replaced {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_distinct_name_and_nonempty_texts() {
        for (i, key) in TextKey::ALL.iter().enumerate() {
            assert_eq!(TextKey::from_name(key.name()), Some(*key));
            assert!(TextKey::ALL[..i].iter().all(|k| k.name() != key.name()), "{}", key.name());
            for lang in Lang::ALL {
                assert!(!key.default_text(lang).trim().is_empty(), "{} {:?}", key.name(), lang);
            }
        }
    }

    #[test]
    fn accept_and_reject_are_equally_short_in_every_language() {
        // Equal prominence starts with labels of comparable length.
        for lang in Lang::ALL {
            let accept = TextKey::AcceptAll.default_text(lang).chars().count();
            let reject = TextKey::RejectAll.default_text(lang).chars().count();
            assert!(accept.abs_diff(reject) <= 2, "{lang:?}");
        }
    }

    #[test]
    fn fill_replaces_known_placeholders_only() {
        assert_eq!(fill("Tillat {service} i {x}", &[("service", "YouTube")]), "Tillat YouTube i {x}");
        assert_eq!(fill("{a}{a}}{", &[("a", "1")]), "11}{");
    }
}
