// The catalogue: every string a shopper reads on the verification page, its JSON "message"
// and the error pages, in English, Simplified Chinese and French, and nothing else. To add a
// string, add a row here; to add a language, a column (and a Lang). Keep them short: they are read
// on a phone, in a shop, by someone deciding whether a product is genuine.
#include "serve/catalogue.hpp"

namespace viscode::detail {
namespace {

// clang-format off
constexpr CatalogueEntry kTable[] = {
  // The verdicts: the heading, then one sentence.
  {"verdict.first_scan",
   {"Genuine, first scan",
    "正品，首次扫描",
    "Authentique, premier scan"}},
  {"verdict.first_scan.advice",
   {"This code was issued by the brand, and this is the first time it has been scanned.",
    "此码由品牌发行，这是它第一次被扫描。",
    "Ce code a été émis par la marque, et c'est la première fois qu'il est scanné."}},
  {"verdict.seen_before",
   {"Genuine serial, seen before: possible copy",
    "序列号真实，但已被扫描过：可能是仿冒品",
    "Numéro authentique, déjà scanné : copie possible"}},
  {"verdict.seen_before.advice",
   {"This serial was issued by the brand, but its code has been scanned before. If you have "
    "just bought this product, its code may have been copied.",
    "此序列号由品牌发行，但这个码之前已被扫描过。如果您刚买下这件商品，它的码可能被复制了。",
    "Ce numéro a été émis par la marque, mais son code a déjà été scanné. Si vous venez "
    "d'acheter ce produit, son code a peut-être été copié."}},
  {"verdict.not_issued",
   {"Not issued",
    "品牌未发行此码",
    "Code non émis par la marque"}},
  {"verdict.not_issued.advice",
   {"The brand never issued this serial.",
    "品牌从未发行过这个序列号。",
    "La marque n'a jamais émis ce numéro."}},
  {"verdict.forged",
   {"Forged",
    "伪造的码",
    "Code falsifié"}},
  {"verdict.forged.advice",
   {"The code's signature does not verify with the brand's key: the brand did not make this "
    "code.",
    "此码的签名与品牌的密钥不符：它不是品牌制作的。",
    "La signature de ce code ne correspond pas à la clé de la marque : ce code n'a pas été "
    "créé par la marque."}},
  {"verdict.unsigned",
   {"Unsigned",
    "无品牌签名的码",
    "Code non signé"}},
  {"verdict.unsigned.advice",
   {"The code carries no signature from the brand.",
    "此码没有品牌的签名。",
    "Ce code ne porte pas de signature de la marque."}},

  // What to do next.
  {"next.seen_before",
   {"What to do: if you bought this product recently, keep your receipt and report a "
    "suspected copy to the brand or the seller.",
    "建议：如果您最近购买了这件商品，请保留购物凭证，并向品牌或卖家举报疑似仿冒。",
    "Que faire : si vous avez acheté ce produit récemment, gardez votre ticket de caisse et "
    "signalez une copie possible à la marque ou au vendeur."}},
  {"next.not_genuine",
   {"What to do: do not trust this code; report the product to the brand or the seller.",
    "建议：不要相信此码，请向品牌或卖家举报这件商品。",
    "Que faire : ne vous fiez pas à ce code ; signalez le produit à la marque ou au vendeur."}},

  // The details.
  {"label.serial", {"Serial", "序列号", "Numéro de série"}},
  {"label.product", {"Product", "产品", "Produit"}},
  {"label.batch", {"Batch", "批次", "Lot"}},
  {"label.lot", {"Lot", "批号", "Numéro de lot"}},
  {"label.production_date", {"Production date", "生产日期", "Date de production"}},
  {"label.scanned_at", {"This scan", "本次扫描", "Ce scan"}},
  {"label.scanned_before", {"Scanned before", "此前扫描", "Déjà scanné"}},
  {"value.scanned_before.one",
   {"{count} time since {since}",
    "自 {since} 起 {count} 次",
    "{count} fois depuis le {since}"}},
  {"value.scanned_before.other",
   {"{count} times since {since}",
    "自 {since} 起 {count} 次",
    "{count} fois depuis le {since}"}},
  {"label.first_place", {"First scanned at", "首次扫描地点", "Premier scan à"}},
  {"link.product_page",
   {"See this product on the brand's website",
    "在品牌官网查看此产品",
    "Voir ce produit sur le site de la marque"}},

  // The optional place (the button needs JavaScript; the verdict does not).
  {"place.button",
   {"Share my location (optional)",
    "分享我的位置（可选）",
    "Partager ma position (facultatif)"}},
  {"place.note",
   {"Only an approximate place (about 10 km) is kept, to help the brand find copies.",
    "只保存大致位置（约 10 公里范围），用于帮助品牌发现仿冒品。",
    "Seule une position approximative (à 10 km près) est conservée, pour aider la marque à "
    "repérer les copies."}},
  {"place.thanks",
   {"Thank you: your approximate location was recorded.",
    "谢谢，已记录您的大致位置。",
    "Merci : votre position approximative a été enregistrée."}},
  {"place.failed",
   {"Your location was not shared.",
    "未能分享您的位置。",
    "Votre position n'a pas été partagée."}},
  {"place.error.no_scan",
   {"No recent scan of this code from this browser: open the code's page first",
    "此浏览器最近没有扫描过这个码：请先打开此码的页面",
    "Aucun scan récent de ce code depuis ce navigateur : ouvrez d'abord la page du code"}},
  {"place.error.body",
   {"The place must be sent as lat=<degrees>&lon=<degrees>, e.g. lat=48.9&lon=2.3",
    "位置须以 lat=<度>&lon=<度> 的格式发送，例如 lat=48.9&lon=2.3",
    "La position doit être envoyée sous la forme lat=<degrés>&lon=<degrés>, par exemple "
    "lat=48.9&lon=2.3"}},
  {"place.error.gone",
   {"This scan is no longer in the ledger",
    "账本中已没有这次扫描",
    "Ce scan n'est plus dans le registre"}},

  // What a link preview (a chat app's bot, a prefetch) gets: no verdict.
  {"preview.title",
   {"Scan the code to check it",
    "扫描此码以验证真伪",
    "Scannez le code pour le vérifier"}},
  {"preview.advice",
   {"Open this link on the phone that scanned the product's code to see whether it is "
    "genuine. This preview does not check it.",
    "请在扫描商品码的手机上打开此链接，查看商品是否为正品。此预览不做验证。",
    "Ouvrez ce lien sur le téléphone qui a scanné le code du produit pour savoir s'il est "
    "authentique. Cet aperçu ne le vérifie pas."}},

  // The refusals: a heading, then the reason.
  {"error.404.title", {"Not found", "未找到", "Introuvable"}},
  {"error.404",
   {"Not found: this address is not a code of this brand",
    "未找到：此地址不是该品牌的码",
    "Introuvable : cette adresse n'est pas un code de cette marque"}},
  {"error.405.title", {"Method not allowed", "不允许的请求方式", "Méthode non autorisée"}},
  {"error.405",
   {"Method not allowed: open this address with GET",
    "不允许的请求方式：请用 GET 打开此地址",
    "Méthode non autorisée : ouvrez cette adresse avec GET"}},
  {"error.413.title", {"Request body not allowed", "不接受请求正文", "Corps de requête refusé"}},
  {"error.413",
   {"Request body not allowed: these addresses take none",
    "不接受请求正文：这些地址不接收正文",
    "Corps de requête refusé : ces adresses n'en acceptent pas"}},
  {"error.429.title",
   {"Too many requests from your address", "来自您地址的请求过多",
    "Trop de requêtes depuis votre adresse"}},
  {"error.429",
   {"Too many requests from your address: wait a little, then open the code again",
    "来自您地址的请求过多：请稍等片刻，再打开此码",
    "Trop de requêtes depuis votre adresse : patientez un peu, puis rouvrez le code"}},
  {"error.500.title", {"Internal error", "内部错误", "Erreur interne"}},
  {"error.500",
   {"Internal error: the ledger could not record this scan; try again",
    "内部错误：无法记录此次扫描，请重试",
    "Erreur interne : ce scan n'a pas pu être enregistré ; réessayez"}},
  {"error.503.title", {"Busy", "服务繁忙", "Occupé"}},
  {"error.503",
   {"Busy: too many requests at once; try again in a second",
    "服务繁忙：同时请求过多，请稍后再试",
    "Occupé : trop de requêtes à la fois ; réessayez dans une seconde"}},
};
// clang-format on

}  // namespace

std::span<const CatalogueEntry> catalogue() {
  return kTable;
}

}  // namespace viscode::detail
