// What the benchmarks share: the logos every curve is measured on, and running the work on
// every core.
#pragma once

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "test_logos.hpp"
#include "viscode/render.hpp"

namespace viscode::bench {

struct NamedLogo {
  std::string name;
  Logo logo;
};

// The generated test logos and the project's own samples: every code the product ships an
// example of is measured.
inline std::vector<NamedLogo> test_and_sample_logos() {
  std::vector<NamedLogo> logos;
  for (const test::TestLogo& t : test::test_logos()) {
    logos.push_back({t.name, Logo::from_image(t.image)});
  }
  for (const char* sample : {"brand.png", "brand.svg"}) {
    logos.push_back({std::string("sample_") + sample,
                     Logo::load(std::string(VISCODE_SOURCE_DIR) + "/samples/" + sample)});
  }
  return logos;
}

// Runs `work` on one thread per core and waits; `work` takes its items from a shared counter.
template <typename Work>
void on_every_core(Work work) {
  std::vector<std::thread> pool;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
}

}  // namespace viscode::bench
