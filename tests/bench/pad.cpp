// choose_pad's cost per code: a print run makes millions of codes, so this must stay far
// below the render. Thread CPU time, the fastest of 5 rounds of N calls, per version at EC
// M with a short payload, so nearly every data codeword is free (the worst case).
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "viscode/encode.hpp"

using namespace viscode;

namespace {

double cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 200;
  std::printf(
      "| version | EC | free bits | choose_pad µs | free_pad_bits µs |\n"
      "|---:|---|---:|---:|---:|\n");
  for (const int version : {2, 10, 25, 40}) {
    for (const EcLevel ec : {EcLevel::L, EcLevel::M, EcLevel::H}) {
      EncodeOptions o;
      o.ec = ec;
      o.min_version = o.max_version = version;
      const Symbol s = encode("v.example/1", o);
      std::vector<std::uint8_t> wanted(s.dark.size());
      std::vector<float> weight(s.dark.size());
      std::uint32_t state = 12345;
      for (std::size_t i = 0; i < wanted.size(); ++i) {
        state = state * 1664525u + 1013904223u;
        wanted[i] = static_cast<std::uint8_t>(state >> 31);
        weight[i] = static_cast<float>((state >> 8) % 1000) / 1000.0f;
      }
      double best_choose = 1e30;
      double best_free = 1e30;
      std::size_t sink = 0;
      for (int round = 0; round < 5; ++round) {
        double t0 = cpu_us();
        for (int i = 0; i < calls; ++i) sink += choose_pad(s, wanted, weight).dark[0];
        best_choose = std::min(best_choose, (cpu_us() - t0) / calls);
        t0 = cpu_us();
        for (int i = 0; i < calls; ++i) sink += static_cast<std::size_t>(free_pad_bits(s));
        best_free = std::min(best_free, (cpu_us() - t0) / calls);
      }
      std::printf("| %d | %c | %d | %.0f | %.0f |\n", version, to_char(ec), free_pad_bits(s),
                  best_choose, best_free);
      if (sink == 1) std::printf("\n");  // keeps the calls from being optimised away
    }
  }
}
