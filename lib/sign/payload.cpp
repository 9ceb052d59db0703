// Signed payloads from templates: the glue between PayloadTemplate and sign_serial().
#include "sign/common.hpp"
#include "viscode/error.hpp"
#include "viscode/payload_template.hpp"
#include "viscode/sign.hpp"

namespace viscode {

void check_signed_template(const PayloadTemplate& tmpl, std::string_view product) {
  const std::string named = tmpl.flag() + " '" + tmpl.text() + "'";
  if (tmpl.gs1()) {
    if (!product.empty()) {
      throw Error(ErrorCategory::usage,
                  "BatchOptions.product '" + std::string(product) + "' is not used with " + named +
                      ": a GS1 Digital Link template's GTIN is the signed product; remove "
                      "BatchOptions.product");
    }
    if (!tmpl.is_signed()) {
      throw Error(ErrorCategory::usage,
                  named +
                      " has no {sig}: a signed GS1 Digital Link payload ends in "
                      "/21/{serial}?s={sig}, e.g. "
                      "'https://brand.example/01/09506000134352/21/{serial}?s={sig}'");
    }
    return;
  }
  if (!product.empty() && !is_product_id(product)) detail::throw_bad_product(product);
  if (!tmpl.is_signed()) {
    throw Error(ErrorCategory::usage,
                named +
                    " has no {sig}: a signed payload needs {serial}.{sig} (the serial, a '.' and "
                    "the signature), e.g. 'https://b.example/a/{serial}.{sig}'");
  }
  if (tmpl.has_product() && product.empty()) {
    throw Error(ErrorCategory::usage,
                named + " has {product}: give the product id with BatchOptions.product");
  }
  if (!product.empty() && !tmpl.has_product()) {
    throw Error(ErrorCategory::usage,
                "BatchOptions.product '" + std::string(product) +
                    "' is signed with each serial, so the payload must show it: put {product} "
                    "in " +
                    named + ", e.g. 'https://b.example/a/{product}/{serial}.{sig}'");
  }
}

std::string signed_payload(const PayloadTemplate& tmpl, const SecretKey& key,
                           std::string_view serial, std::string_view product) {
  check_signed_template(tmpl, product);
  if (const auto& gs1 = tmpl.gs1()) {
    return tmpl.apply(serial, {}, sign_gs1(key, gs1->gtin, gs1->lot, serial));
  }
  return tmpl.apply(serial, product, sign_serial(key, serial, product));
}

}  // namespace viscode
