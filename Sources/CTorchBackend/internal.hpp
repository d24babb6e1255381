// Shared helpers of the CTorch implementation files: handle conversion and the
// exception barrier that turns every C++ exception into a status code + message.
#pragma once

#include <ATen/ATen.h>
#include <string>
#include <vector>

#include "ctorch.h"

namespace ctorch {

void set_error(const std::string &message);

inline at::Tensor &T(ct_tensor h) {
  if (h == nullptr) throw std::invalid_argument("a required tensor argument is NULL");
  return *reinterpret_cast<at::Tensor *>(h);
}

inline c10::optional<at::Tensor> opt(ct_tensor h) {
  if (h == nullptr) return c10::nullopt;
  return *reinterpret_cast<at::Tensor *>(h);
}

inline ct_tensor wrap(at::Tensor t) { return reinterpret_cast<ct_tensor>(new at::Tensor(std::move(t))); }

inline at::IntArrayRef dims(const int64_t *d, int n) { return at::IntArrayRef(d, static_cast<size_t>(n < 0 ? 0 : n)); }

inline at::Scalar scalar(ct_scalar s) {
  if (s.is_integral) return at::Scalar(s.i);
  return at::Scalar(s.f);
}

inline at::ScalarType scalar_type(int dtype) {
  switch (dtype) {
  case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 9: case 10: case 11: case 15:
    return static_cast<at::ScalarType>(dtype);
  default:
    throw std::invalid_argument("unsupported dtype code " + std::to_string(dtype));
  }
}

inline at::Device device(int type, int index) {
  if (type == 0) return at::Device(at::kCPU);
  if (type == 1) return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
  throw std::invalid_argument("unsupported device type " + std::to_string(type));
}

inline at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions().dtype(scalar_type(dtype)).device(device(device_type, device_index));
}

at::Generator &G(ct_generator g);
c10::optional<at::Generator> optG(ct_generator g);

}  // namespace ctorch

#define CT_TRY(...)                                                                  \
  try {                                                                              \
    __VA_ARGS__;                                                                     \
    return 0;                                                                        \
  } catch (const c10::Error &e) {                                                    \
    ctorch::set_error(e.what_without_backtrace());                                   \
  } catch (const std::exception &e) {                                                \
    ctorch::set_error(e.what());                                                     \
  } catch (...) {                                                                    \
    ctorch::set_error("unknown C++ exception from libtorch");                       \
  }                                                                                  \
  return 1;

using ctorch::T;
using ctorch::opt;
using ctorch::wrap;
