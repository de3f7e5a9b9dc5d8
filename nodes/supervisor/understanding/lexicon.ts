// The words of each ask: English patterns the rules act on, and other languages' words that are shown to a person
// (or to the model in hybrid) but never acted on by the rules.
import type { UnderstoodIntentName } from "./types.js";

export interface Pattern {
  intent: UnderstoodIntentName;
  re: RegExp;
  /** The pattern carries its own negation ("don't want to renew" asks to cancel): no negation check. */
  intrinsic?: boolean;
  /** Read, but not for certain: why. */
  unsure?: string;
  timing?: "period_end";
}

/** What a cancel verb acts on decides what is asked: the subscription, a seat, an upgrade, a payment. */
export const CANCEL_VERB = /\b(cancel(?:l?ed|l?ing|lation|ation)?|terminate|termination|discontinue|unsubscribe|unsub)\b/;

export const ENGLISH_PATTERNS: Pattern[] = [
  // Keeping or restarting comes first: "undo my cancellation" mentions a cancellation and asks the opposite.
  { intent: "reactivate", re: /\b(resume|unpause|reactivate|restart) (my|our|the)? ?(subscription|membership|plan|account)\b|\bturn (it|my subscription|the subscription) back on\b|\bundo (the |my |our )?(cancel|cancellation)\b|\b(keep|stay on) (my|our) (subscription|membership|plan) (active|going)\b|\b(restore|reinstate|bring back|put back|turn back on) (it|my|our|the)\b|\bchanged (my|our) minds?\b|\bdo not (want|wish) to cancel (anymore|any more|after all)\b/, intrinsic: true },
  // Cancellation, positive despite the negation word in it.
  { intent: "cancel", re: /\b(do not|does not|not|never) (want|wish|need|plan|intend) to (renew|continue|be (charged|billed) again|keep (it|paying|the subscription|my subscription|our subscription))\b/, intrinsic: true, timing: "period_end" },
  { intent: "cancel", re: /\b(do not|please do not|not|never) (renew|continue)\b/, intrinsic: true, timing: "period_end" },
  { intent: "cancel", re: /\bno longer (want|need|use|require) (it|this|that|the (service|subscription|product|app|tool|plan|membership)|my (subscription|membership|plan|account)|your (service|product|app)|our (subscription|plan|account))\b/, intrinsic: true },
  { intent: "cancel", re: /\b(do not|not) need (it|this|the (subscription|service|membership)|my subscription) (anymore|any more|any longer)\b/, intrinsic: true },
  { intent: "cancel", re: /\b(turn|switch|shut) off\b[^,.;!?]{0,20}\b(autorenew|automatic renewal|renewals?|recurring (billing|payments?))\b|\b(disable|stop|cancel|remove|end)\b[^,.;!?]{0,12}\b(autorenew|automatic renewal|recurring (billing|payments?))\b/, timing: "period_end" },
  { intent: "cancel", re: CANCEL_VERB },
  { intent: "cancel", re: /\b(end|stop|close|quit|drop|kill|leave|exit|deactivate|shut down)\b\s+(?:my|our|the|this|your)?\s*(?:whole\s+|entire\s+|current\s+|paid\s+)?(subscription|membership|plan|account|contract|service|renewal)s?\b(?!\s+(e-?mails?|reminders?|notifications?|messages?|alerts?|letters?|notices?))/ },
  { intent: "cancel", re: /\b(i quit|let (it|my subscription|the subscription|my plan) (lapse|expire|run out)|(do not|no longer) want (it|this) (anymore|any more)|not interested (anymore|any more)|stop (auto|automatic) (billing|payments?|charges?)|(no longer|not) (want|wish) to be (charged|billed)|(make sure|ensure) (i am|we are) not (charged|billed))\b/, intrinsic: true, unsure: "a cancellation is implied, not asked for in words" },
  { intent: "cancel", re: /\bopt(ing)? out\b|\bget rid of (my|our|the) (subscription|membership|plan)\b|\bi (want|would like) out\b/ },
  { intent: "cancel", re: /\bstop (charging|billing) (me|us|my card)\b/, unsure: "“stop charging” may mean cancel, or a charge the customer disputes" },

  // Pause and its end.
  { intent: "pause", re: /\bpaus(e|ing)\b|\bon hold\b|\bfreeze\b|\bsuspend\b|\btake a break\b|\bskip (a|one|the next|next) (month|payment|billing|cycle)\b/ },

  // Plan changes.
  { intent: "upgrade", re: /\bupgrad(e|ing)\b|\b(bigger|higher|larger|more expensive|premium) (plan|tier|package)\b/ },
  { intent: "downgrade", re: /\bdowngrad(e|ing)\b|\b(cheaper|lower|smaller|less expensive|basic) (plan|tier|package)\b/ },
  { intent: "change_plan", re: /\b(switch|move|change|put|go|transfer|swap|migrate|convert|take)\b(?<obj>[^,.;!?]{0,30}?)\s+(?:to|onto|on)\b/ },
  { intent: "change_plan", re: /\b(back|revert|return|go back) to\b/ },
  { intent: "change_plan", re: /\b(upgraded|downgraded|switched|changed (my |our |the )?plans?)\b[^,.;!?]{0,30}\b(by (accident|mistake)|accidentally|in error|unintentionally)\b|\b(accidentally|mistakenly|by mistake|by accident) (upgraded|downgraded|switched|changed)\b|\bclicked (on )?(upgrade|downgrade) by (accident|mistake)\b/, intrinsic: true, unsure: "asks to undo a plan change" },

  // Seats.
  // "We need more seats" explains a plan change; "we need 3 more seats" or "add a seat" asks for seats.
  { intent: "change_quantity", re: /\b(add|remove|drop|reduce|increase|decrease|lower|raise|buy|cancel|delete|free up)\b[^,.;!?]{0,25}\b(seats?|users?|licen[cs]es?|logins?)\b|\b(need|want|get)\b[^,.;!?]{0,10}\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|an?|another) (more |extra |additional )?(seats?|users?|licen[cs]es?)\b|\b(fewer) (seats|users|licen[cs]es)\b/ },

  // Money back.
  { intent: "duplicate", re: /\b(charged|billed|debited|paid|charging|taken|took|charge)\b[^,.;!?]{0,25}\b(twice|two times|double|2x|two charges|2 charges)\b|\bdouble[- ]?(charged|billed|charge|payment|charging)\b|\bduplicate[ds]? (charge|payment|transaction|billing)s?\b|\bcharged (me|us) again\b|\btwo (identical |same )?(charges|payments)\b/ },
  { intent: "unrecognized", re: /\b(do not|did not|does not) (recogni[sz]e|authori[sz]e|remember (making|buying|signing up|ordering))\b|\bunauthori[sz]ed\b|\bnot me\b|\bstolen\b|\bfraud(ulent)?\b|\bnever (signed up|subscribed|ordered|authori[sz]ed|agreed)\b|\bunknown charge\b/, intrinsic: true },
  // "My refund hasn't arrived", "where is my refund?": about a refund already made, not a new one.
  { intent: "billing_question", re: /\b(my|the|our|that) refund\b[^,.;!?]{0,40}\b(arriv\w*|receiv\w*|status|wait\w*|pending|process\w*|yet|still|show\w*|land\w*|come|came|go(ne)? through|promised|supposed)\b|\b(where|when)\b[^,.;!?]{0,25}\brefund\b|\b(promised|told|said)\b[^,.;!?]{0,25}\brefund\b/, intrinsic: true },
  { intent: "refund", re: /\bovercharg\w*|\bwrong(ly)? (charged|billed)\b|\bcharged? (me |us )?(the )?wrong (amount|price|plan)\b|\bcharged (me |us )?too much\b|\b(charged|billed) (me |us )?\$?\d[\d.,]* instead of\b/, unsure: "says a charge was wrong: how much goes back is a person's call" },
  { intent: "refund", re: /\brefund|\breimburs|\bmoney back\b|\b(pay|give|send) (me |us )?(the money |my money |it |our money )?back\b|\bcredit (me|us|my account|our account)\b|\b(want|need|get|have|like)\s+(my |the |our |a )?([$€£]\s?\d[\d.,]*|\d[\d.,]*\s?(dollars?|euros?|pounds?|usd|eur|gbp)|money|payment|it|that)\s+back\b|\b(charged|billed) (me |us )?(by mistake|in error|for nothing)\b/ },

  // Paying.
  { intent: "retry_payment", re: /\bcharge (my card|me|it|us)\b[^,.;!?]{0,20}\b(overdue|outstanding|open|unpaid|failed)\b|\bpay (the|my|our) (overdue|outstanding|open|unpaid|failed) (invoice|bill|balance)\b|\b(retry|try (it |the payment |my card |the charge |charging |again )?again|charge (it|me|my card|the card|us) again|run (it|the payment|my card|the card) again|added (more )?(the )?funds|funds (are|is) (now )?(there|available|in)|topped up|money (is )?(on|in) (the|my) (card|account) now)\b/ },
  { intent: "payment_help", re: /\b(bill|charge|use|put)\b[^,.;!?]{0,12}\b(card|visa|mastercard|amex) ending\b|\b(update|change|replace|add) (my|our|the|a) (card|payment (method|details|info)|billing (details|info)|credit card|debit card)\b|\b(new|different|another) (card|credit card|payment method)\b|\bcard (has |is )?expired\b|\bexpired card\b|\b(payment|card|invoice)\b[^,.;!?]{0,30}\b(fail(ed|ing|s)?|declin(ed|ing|es)|bounced|(did|does) not go through|was rejected)\b|\bhow (do|can) (i|we) pay\b|\bpay (the|my|our) (invoice|bill|balance)\b/ },
  { intent: "dispute_question", re: /\b(dispute|chargeback)\b/ },

  // Not a change billops makes, but billing all the same: a person answers.
  { intent: "account_update", re: /\b(delete|erase|remove|wipe)\b[^,.;!?]{0,12}\b(account|data|personal (data|information))\b|\bgdpr\b|\bright to be forgotten\b|\b(change|update|correct|fix|edit|rename)\b[^,.;!?]{0,20}\b(company|business|legal|billing|account|customer) (name|email|address|details|info)\b|\b(vat|tax) (id|number)\b|\b(billing|invoice) (address|email)\b|\b(change|update|correct) (my|our|the) (name|email|address|phone)\b/ },
  { intent: "invoice_request", re: /\b(send|need|get|download|resend|re-send|copy of|where (can i find|is|are)|find)\b[^,.;!?]{0,25}\b(invoices?|receipts?|statements?)\b/ },
];

/** Nouns that make a message billing business: without one, an unrecognised message may still not be about billing. */
export const BILLING_WORDS = /\b(subscriptions?|plans?|invoices?|charges?|charged|payments?|pay|paid|paying|cards?|refunds?|billing|billed|bill|price|pricing|cost|fees?|money|renewal|autorenew|trial|seats?|licen[cs]es?|receipts?|tax|vat|cancel\w*|upgrade|downgrade|account|membership|discount|coupon|credit|debit|balance|overdue|past due|dollars?|euros?|usd|eur|gbp|\$|€|£)\b/;

/** Messages that are plainly not for billing: small talk, thanks, product, login, marketing email. */
export const SMALL_TALK = /^(?:(?:hi|hello|hey|hiya|dear (?:team|support|sir|madam)|good (?:morning|afternoon|evening)|thanks?(?: you)?(?: so much| very much| a lot)?|thank you(?: so much| very much)?|many thanks|cheers|ok(?:ay)?|cool|great|perfect|awesome|brilliant|nice|sounds good|got it|all good|no worries|never ?mind|nvm|that (?:fixed|solved|sorted|did) it|it works(?: now)?|works now|problem solved|issue resolved|resolved|sorted|you(?: guys)? (?:rock|are the best)|love (?:it|the (?:app|product|service))|have a (?:nice|good|great) (?:day|weekend)|keep (?:it|up the good work)(?: up)?|bye|see you|regards|best|team|all|everyone|again|now|for (?:the|your) (?:help|quick (?:reply|response|fix))|(?:really )?appreciate it|😊|🙂|👍|🙏|❤️|:\)|:-\))[\s!.,]*)+$/u;
export const NOT_BILLING = /\b(password|log ?in|sign ?in|two[- ]factor|2fa|bug|crash(es|ed|ing)?|feature request|suggestion|out of (the )?office|auto-?reply|automatic reply|newsletter|marketing|mailing list|promotional|spam|api key|integration|dark mode|export (my )?data|slow|loading|error message)\b/;

/** Words of other languages, so a person (or the model) sees what the message is about; the rules never act on them. */
export const FOREIGN_WORDS: { intent: UnderstoodIntentName; re: RegExp }[] = [
  { intent: "cancel", re: /kündig|stornier|abbestell|beenden|annuler|annulez|résili|resili|désabonn|cancelar|cancela|anular|dar(me)? de baja|de baja|disdir|disdett|annullar|cancellare|opzeg|annuleer|annuleren|stopzetten|säga upp|säg upp|avsluta|opsige|anulowa|anuluj|zrezygnow|wypowiedz|解約|キャンセル|取消|退订|отмен|отпис|해지|취소/ },
  { intent: "pause", re: /pausier|suspendre|mettre en pause|pausar|sospend|pauzer|pausa|zawiesi|一時停止|暂停|приостанов/ },
  { intent: "refund", re: /erstatt|geld zurück|rembours|reembols|devoluci|rimbors|terugbetal|geld terug|estorno|återbetal|refusion|zwrot|返金|退款|возврат|вернуть деньги|환불/ },
  { intent: "duplicate", re: /doppelt|zweimal|deux fois|dos veces|due volte|twee keer|duas vezes|två gånger|dwa razy|二重|两次|дважды/ },
  { intent: "change_plan", re: /wechseln|passer à|cambiar a|pasar a|passare a|overstappen|mudar para|byta till|zmienić|アップグレード|升级|перейти на/ },
];

export const FOREIGN_NEGATION = /\b(nicht|kein|keine|ne|pas|no|non|niet|geen|não|nao|inte|ikke|nie|не)\b/;
