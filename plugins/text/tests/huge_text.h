// A read-only view one byte longer than gavel::text::kMaxTextBytes, backed by an anonymous
// private mapping with no reserved memory: every page reads as zeros and nothing is committed,
// so the size-limit paths can be tested without allocating hundreds of megabytes.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <stdexcept>
#include <string_view>

#include "gavel/text/utf8.h"

class HugeText {
 public:
  HugeText() {
    void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("mmap failed");
    data_ = p;
  }
  ~HugeText() { munmap(data_, size_); }
  HugeText(const HugeText&) = delete;
  HugeText& operator=(const HugeText&) = delete;

  std::string_view view() const { return {static_cast<const char*>(data_), size_}; }

 private:
  std::size_t size_ = gavel::text::kMaxTextBytes + 1;
  void* data_ = nullptr;
};
