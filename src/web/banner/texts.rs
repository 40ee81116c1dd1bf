//! SPIKE: the banner's texts only.
use privacy_widget_core::lang::Lang;
#[derive(Clone, Copy)]
pub enum TextKey { BannerTitle, BannerText, AcceptAll, RejectAll, Settings, PrivacyStatement, GpcNotice }
pub fn get(lang: Lang, key: TextKey) -> &'static str {
    let i = match lang { Lang::Nb => 0, Lang::Nn => 1, Lang::En => 2 };
    let t: [&str; 3] = match key {
        TextKey::BannerTitle => ["Vi tar vare på personvernet ditt", "Vi tek vare på personvernet ditt", "We respect your privacy"],
        TextKey::BannerText => ["Vi bruker nødvendige informasjonskapsler for at nettbutikken skal fungere. Med ditt samtykke bruker vi også verktøy som hjelper oss å forbedre butikken. Du velger selv, og du kan endre valget når som helst.", "Vi brukar naudsynte informasjonskapslar for at nettbutikken skal fungere. Med samtykket ditt brukar vi òg verktøy som hjelper oss å gjere butikken betre. Du vel sjølv, og du kan endre valet når som helst.", "We use necessary cookies to make the shop work. With your consent we also use tools that help us improve it. The choice is yours, and you can change it at any time."],
        TextKey::AcceptAll => ["Godta alle", "Godta alle", "Accept all"],
        TextKey::RejectAll => ["Avvis alle", "Avvis alle", "Reject all"],
        TextKey::Settings => ["Tilpass", "Tilpass", "Customise"],
        TextKey::PrivacyStatement => ["Personvernerklæring", "Personvernerklæring", "Privacy statement"],
        TextKey::GpcNotice => ["Nettleseren din ber om at du ikke spores (Global Privacy Control). Derfor er alt som ikke er nødvendig, slått av.", "Nettlesaren din ber om at du ikkje blir spora (Global Privacy Control). Difor er alt som ikkje er naudsynt, slått av.", "Your browser asks not to be tracked (Global Privacy Control). Everything that is not necessary is therefore switched off."],
    };
    t[i]
}
