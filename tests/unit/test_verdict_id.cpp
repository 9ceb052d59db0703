// The verdict ids `viscode ledger scan --json` and the scan service print: scripts compare
// them, so each is checked here letter for letter.
#include <catch2/catch.hpp>
#include <optional>

#include "viscode/ledger.hpp"

using namespace viscode;

namespace {

ScanResult result(ScanVerdict verdict, std::optional<Authenticity> authenticity = {}) {
  ScanResult r;
  r.verdict = verdict;
  if (authenticity) {
    r.authentication = Authentication{};
    r.authentication->verdict = *authenticity;
  }
  return r;
}

}  // namespace

TEST_CASE("verdict ids: one stable id for every verdict of a scan", "[ledger][verdict_id]") {
  CHECK(verdict_id(result(ScanVerdict::first_scan)) == "first_scan");
  CHECK(verdict_id(result(ScanVerdict::seen_before)) == "seen_before");
  CHECK(verdict_id(result(ScanVerdict::not_issued)) == "not_issued");
  // With keys: a genuine signature leaves the ledger's verdict as it is.
  CHECK(verdict_id(result(ScanVerdict::first_scan, Authenticity::genuine)) == "first_scan");
  CHECK(verdict_id(result(ScanVerdict::seen_before, Authenticity::genuine)) == "seen_before");
  CHECK(verdict_id(result(ScanVerdict::not_issued, Authenticity::genuine)) == "not_issued");
  // not_authentic is split by the signature check.
  CHECK(verdict_id(result(ScanVerdict::not_authentic, Authenticity::forged)) == "forged");
  CHECK(verdict_id(result(ScanVerdict::not_authentic, Authenticity::unsigned_)) == "unsigned");

  CHECK(scan_outcome(result(ScanVerdict::first_scan)) == ScanOutcome::first_scan);
  CHECK(scan_outcome(result(ScanVerdict::seen_before)) == ScanOutcome::seen_before);
  CHECK(scan_outcome(result(ScanVerdict::not_issued)) == ScanOutcome::not_issued);
  CHECK(scan_outcome(result(ScanVerdict::not_authentic, Authenticity::forged)) ==
        ScanOutcome::forged);
  CHECK(scan_outcome(result(ScanVerdict::not_authentic, Authenticity::unsigned_)) ==
        ScanOutcome::unsigned_);
}
