// Is a support message English? Function words and billing words per language decide for short messages (where
// statistical detectors guess: "refund me $20" reads as Spanish to them); tinyld names the language of longer text.
import { detect } from "tinyld/light";

/** Words common in messages of each language and not English words (so "me", "no", "die" are not listed). */
const MARKERS: Record<string, string[]> = {
  de: ["ich", "bitte", "mein", "meine", "meinen", "nicht", "und", "ist", "das", "der", "für", "mit", "sie", "kündigen", "kündigung", "abo", "abonnement", "danke", "zurück", "erstattung", "rückerstattung", "geld", "doppelt", "wir", "unser", "unsere", "möchte", "können", "kann", "mich", "uns", "zum", "ende", "sofort", "monat", "monate", "zwei", "pausieren", "stornieren", "beenden", "wechseln", "rechnung", "keine", "kein", "habe", "wurde", "abgebucht", "ihr", "ihre", "auf", "vertrag", "bis"],
  fr: ["je", "mon", "ma", "mes", "vous", "est", "pas", "le", "la", "les", "et", "une", "un", "pour", "avec", "annuler", "résilier", "abonnement", "merci", "remboursement", "rembourser", "s'il", "plaît", "deux", "fois", "nous", "notre", "veux", "voudrais", "suspendre", "mois", "ne", "été", "facture", "carte", "débité", "prélevé", "immédiatement", "passer", "au", "du", "des"],
  es: ["mi", "mis", "por", "favor", "quiero", "el", "los", "las", "que", "gracias", "suscripción", "suscripcion", "cancelar", "reembolso", "reembolsar", "devolución", "dos", "veces", "cobrado", "cobraron", "nuestra", "nuestro", "cuenta", "pausar", "meses", "mes", "baja", "ahora", "del", "una", "para", "tarjeta", "pago", "quisiera", "necesito", "cambiar", "está"],
  it: ["il", "mio", "mia", "vorrei", "grazie", "abbonamento", "disdire", "disdetta", "annullare", "rimborso", "rimborsare", "volte", "addebitato", "sospendere", "mesi", "della", "del", "nostro", "nostra", "subito", "carta", "pagamento", "è"],
  nl: ["ik", "mijn", "wil", "het", "een", "niet", "graag", "bedankt", "opzeggen", "annuleren", "abonnement", "terugbetaling", "geld", "terug", "twee", "keer", "dubbel", "ons", "onze", "pauzeren", "maanden", "alstublieft", "aub", "betaling", "kaart", "afgeschreven", "stopzetten"],
  pt: ["eu", "minha", "meu", "quero", "obrigado", "obrigada", "não", "assinatura", "cancelar", "reembolso", "estorno", "duas", "vezes", "cobrado", "cobrada", "nossa", "nosso", "pausar", "meses", "por", "favor", "agora", "plano", "cartão", "pagamento", "gostaria", "preciso"],
  sv: ["jag", "mitt", "min", "inte", "tack", "säga", "upp", "avsluta", "prenumeration", "abonnemang", "återbetalning", "pengarna", "tillbaka", "två", "gånger", "vill", "vår", "pausa", "månader", "genast"],
  da: ["jeg", "mit", "min", "ikke", "tak", "opsige", "abonnement", "refusion", "penge", "tilbage", "gange", "vil", "gerne"],
  pl: ["proszę", "prosze", "moja", "moją", "mój", "nie", "dziękuję", "anulować", "anuluj", "subskrypcję", "subskrypcja", "zwrot", "pieniędzy", "dwa", "razy", "chcę", "chce", "zrezygnować", "natychmiast"],
};

/** English words typical of support messages; a message needs some of these to be read as English. */
const ENGLISH = new Set(
  ("i me my we our us you your please pls plz the a an and or but to of for on in at is are was were be been am do does did don't " +
    "not no can could would will should want wanted need like it this that have has had just also again now today thanks thank " +
    "hi hello hey cancel cancelled canceled cancelling canceling cancellation subscription sub plan account charge charged refund " +
    "money back twice double upgrade downgrade switch move pause stop end card payment invoice billing bill pay paid seat seats " +
    "why how what when where which who there here with from by up down off out anymore longer renew renewal month months week weeks " +
    "year help team company name email address receipt price immediately right away asap period end next last").split(" "),
);

const SCRIPTS: [RegExp, string][] = [
  [/[\u3040-\u30ff]/, "ja"],
  [/[\uac00-\ud7af]/, "ko"],
  [/[\u4e00-\u9fff]/, "zh"],
  [/[\u0400-\u04ff]/, "ru"],
  [/[\u0600-\u06ff]/, "ar"],
  [/[\u0590-\u05ff]/, "he"],
  [/[\u0370-\u03ff]/, "el"],
  [/[\u0e00-\u0e7f]/, "th"],
  [/[\u0900-\u097f]/, "hi"],
];

export interface LanguageReading {
  language: string;
  english: boolean;
}

const words = (text: string) => text.toLowerCase().normalize("NFC").match(/[\p{L}']+/gu) ?? [];

export function readLanguage(text: string): LanguageReading {
  // A script other than Latin: not English, whatever English words are mixed in (the rules read English only).
  for (const [re, lang] of SCRIPTS) if (re.test(text)) return { language: lang, english: false };
  const ws = words(text);
  const english = ws.filter((w) => ENGLISH.has(w)).length;
  let best = { lang: "und", hits: 0 };
  for (const [lang, list] of Object.entries(MARKERS)) {
    const set = new Set(list);
    const hits = ws.filter((w) => set.has(w)).length;
    if (hits > best.hits) best = { lang, hits };
  }
  if (best.hits > english) return { language: best.lang, english: false };
  if (english > best.hits) return { language: "en", english: true };
  // A tie (often 0:0, a word or two): the statistical detector, when the text is long enough for it to mean anything.
  if (text.trim().length >= 24) {
    const guess = detect(text);
    if (guess && guess !== "en") return { language: guess, english: false };
    if (guess === "en") return { language: "en", english: true };
  }
  // Accented letters English does not use are a sign of another language.
  if (/[äöüßéèêàçñãõåøæłąęśźżćń]/i.test(text)) return { language: best.lang === "und" ? "und" : best.lang, english: false };
  return { language: english > 0 ? "en" : "und", english: english > 0 };
}
