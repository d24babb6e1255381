// Library state, errors, generators, creation, metadata, conversion and autograd.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/api/include/torch/version.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/csrc/autograd/autograd.h>

#include <cstdlib>
#include <cstring>
#include <sstream>

#include "internal.hpp"

namespace ctorch {

static thread_local std::string last_error;

void set_error(const std::string &message) { last_error = message; }

at::Generator &G(ct_generator g) {
  if (g == nullptr) throw std::invalid_argument("generator is NULL");
  return *reinterpret_cast<at::Generator *>(g);
}

c10::optional<at::Generator> optG(ct_generator g) {
  if (g == nullptr) return c10::nullopt;
  return *reinterpret_cast<at::Generator *>(g);
}

}  // namespace ctorch

using namespace ctorch;

extern "C" {

const char *ct_last_error(void) { return last_error.c_str(); }

void ct_free(ct_tensor t) { delete reinterpret_cast<at::Tensor *>(t); }

void ct_free_array(ct_tensor *ts) { std::free(ts); }

int ct_version(char *buffer, size_t capacity) {
  CT_TRY({
    std::string v = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                    std::to_string(TORCH_VERSION_PATCH);
    std::snprintf(buffer, capacity, "%s", v.c_str());
  })
}

int ct_set_num_threads(int n) { CT_TRY(at::set_num_threads(n)) }
int ct_get_num_threads(int *out) { CT_TRY(*out = at::get_num_threads()) }
int ct_cuda_device_count(int *out) { CT_TRY(*out = at::detail::getCUDAHooks().getNumGPUs()) }
int ct_manual_seed(uint64_t seed) { CT_TRY(at::manual_seed(seed)) }

int ct_set_grad_enabled(int enabled, int *previous) {
  CT_TRY({
    if (previous) *previous = c10::GradMode::is_enabled();
    c10::GradMode::set_enabled(enabled != 0);
  })
}
int ct_is_grad_enabled(int *out) { CT_TRY(*out = c10::GradMode::is_enabled()) }

// Autocast (torch.autocast) on this thread for device_type 0 (CPU) or 1 (CUDA): ops that
// autocast lists run in `dtype` (bf16 or fp16), the rest in fp32. PyTorch 2.4 added the
// device-typed calls and deprecated the per-device ones that 1.13 has. Disabling clears the
// cast cache, as leaving a torch.autocast block does.
int ct_set_autocast(int device_type, int enabled, int dtype, int *previous) {
  CT_TRY({
    const at::ScalarType type = ctorch::scalar_type(dtype);
    if (type != at::kBFloat16 && type != at::kHalf) throw std::invalid_argument("autocast: dtype must be bfloat16 or float16");
    if (device_type != 0 && device_type != 1) throw std::invalid_argument("autocast: device type must be 0 (CPU) or 1 (CUDA)");
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    const at::DeviceType device = device_type == 0 ? at::kCPU : at::kCUDA;
    if (previous) *previous = at::autocast::is_autocast_enabled(device);
    at::autocast::set_autocast_dtype(device, type);
    at::autocast::set_autocast_enabled(device, enabled != 0);
#else
    if (device_type == 0) {
      if (previous) *previous = at::autocast::is_cpu_enabled();
      at::autocast::set_autocast_cpu_dtype(type);
      at::autocast::set_cpu_enabled(enabled != 0);
    } else {
      if (previous) *previous = at::autocast::is_enabled();
      at::autocast::set_autocast_gpu_dtype(type);
      at::autocast::set_enabled(enabled != 0);
    }
#endif
    if (enabled == 0) at::autocast::clear_cache();
  })
}

int ct_generator_new(uint64_t seed, ct_generator *out) {
  CT_TRY(*out = reinterpret_cast<ct_generator>(new at::Generator(at::detail::createCPUGenerator(seed))))
}
void ct_generator_free(ct_generator g) { delete reinterpret_cast<at::Generator *>(g); }
int ct_generator_get_state(ct_generator g, ct_tensor *out) {
  CT_TRY({
    std::lock_guard<std::mutex> lock(G(g).mutex());
    *out = wrap(G(g).get_state());
  })
}
int ct_generator_set_state(ct_generator g, ct_tensor state) {
  CT_TRY({
    std::lock_guard<std::mutex> lock(G(g).mutex());
    G(g).set_state(T(state));
  })
}

int ct_from_data(const void *data, const int64_t *shape, int ndim, int dtype, ct_tensor *out) {
  CT_TRY({
    auto opts = at::TensorOptions().dtype(scalar_type(dtype));
    auto t = at::empty(dims(shape, ndim), opts);
    if (t.numel() > 0) std::memcpy(t.data_ptr(), data, t.nbytes());
    *out = wrap(std::move(t));
  })
}

// Host values onto a device. For CUDA they go through a page-locked (pinned) host tensor and an
// asynchronous copy (non_blocking), as a DataLoader with pin_memory=True feeds PyTorch; libtorch's
// pinned allocator keeps the host block until the copy has run. For the CPU, as ct_from_data.
int ct_upload(const void *data, const int64_t *shape, int ndim, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY({
    const at::Device target = device(dt, di);
    auto host = at::empty(dims(shape, ndim), at::TensorOptions().dtype(scalar_type(dtype)).pinned_memory(target.is_cuda()));
    if (host.numel() > 0) std::memcpy(host.data_ptr(), data, host.nbytes());
    *out = wrap(target.is_cuda() ? host.to(target, /*non_blocking=*/true) : std::move(host));
  })
}

int ct_empty(const int64_t *shape, int ndim, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::empty(dims(shape, ndim), options(dtype, dt, di))))
}
int ct_zeros(const int64_t *shape, int ndim, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::zeros(dims(shape, ndim), options(dtype, dt, di))))
}
int ct_ones(const int64_t *shape, int ndim, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::ones(dims(shape, ndim), options(dtype, dt, di))))
}
int ct_full(const int64_t *shape, int ndim, ct_scalar value, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::full(dims(shape, ndim), scalar(value), options(dtype, dt, di))))
}
int ct_arange(ct_scalar start, ct_scalar end, ct_scalar step, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::arange(scalar(start), scalar(end), scalar(step), options(dtype, dt, di))))
}
int ct_linspace(double start, double end, int64_t steps, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::linspace(start, end, steps, options(dtype, dt, di))))
}
int ct_eye(int64_t n, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::eye(n, options(dtype, dt, di))))
}
int ct_rand(const int64_t *shape, int ndim, int kind, ct_generator g, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY({
    auto opts = options(dtype, dt, di);
    if (kind == 0)
      *out = wrap(at::rand(dims(shape, ndim), optG(g), opts));
    else if (kind == 1)
      *out = wrap(at::randn(dims(shape, ndim), optG(g), opts));
    else
      throw std::invalid_argument("random kind must be 0 (uniform) or 1 (normal)");
  })
}
int ct_randint(int64_t low, int64_t high, const int64_t *shape, int ndim, ct_generator g, int dt, int di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::randint(low, high, dims(shape, ndim), optG(g), options(4, dt, di))))
}
int ct_randperm(int64_t n, ct_generator g, ct_tensor *out) {
  CT_TRY(*out = wrap(at::randperm(n, optG(g), at::TensorOptions().dtype(at::kLong))))
}
int ct_bernoulli(ct_tensor p, ct_generator g, ct_tensor *out) { CT_TRY(*out = wrap(at::bernoulli(T(p), optG(g)))) }

int ct_ndim(ct_tensor t, int *out) { CT_TRY(*out = static_cast<int>(T(t).dim())) }
int ct_shape(ct_tensor t, int64_t *out, int capacity) {
  CT_TRY({
    auto s = T(t).sizes();
    if (static_cast<int>(s.size()) > capacity) throw std::invalid_argument("shape buffer too small");
    for (size_t i = 0; i < s.size(); ++i) out[i] = s[i];
  })
}
int ct_dtype(ct_tensor t, int *out) { CT_TRY(*out = static_cast<int>(T(t).scalar_type())) }
int ct_device(ct_tensor t, int *type, int *index) {
  CT_TRY({
    auto d = T(t).device();
    *type = d.is_cuda() ? 1 : (d.is_cpu() ? 0 : -1);
    *index = d.has_index() ? d.index() : 0;
  })
}
int ct_numel(ct_tensor t, int64_t *out) { CT_TRY(*out = T(t).numel()) }
int ct_is_contiguous(ct_tensor t, int *out) { CT_TRY(*out = T(t).is_contiguous()) }
int ct_requires_grad(ct_tensor t, int *out) { CT_TRY(*out = T(t).requires_grad()) }
int ct_set_requires_grad(ct_tensor t, int r) { CT_TRY(T(t).set_requires_grad(r != 0)) }
int ct_is_leaf(ct_tensor t, int *out) { CT_TRY(*out = T(t).is_leaf()) }
int ct_value_stamp(ct_tensor t, int64_t *version, uintptr_t *address) {
  CT_TRY({
    const auto &x = T(t);
    *version = static_cast<int64_t>(x._version());
    *address = reinterpret_cast<uintptr_t>(x.data_ptr());
  })
}

int ct_copy_to(ct_tensor t, int dtype, void *dst, size_t nbytes) {
  CT_TRY({
    auto c = T(t).detach().to(at::kCPU, scalar_type(dtype)).contiguous();
    if (c.nbytes() != nbytes)
      throw std::invalid_argument("destination holds " + std::to_string(nbytes) + " bytes, tensor needs " +
                                  std::to_string(c.nbytes()));
    if (nbytes > 0) std::memcpy(dst, c.data_ptr(), nbytes);
  })
}
int ct_item(ct_tensor t, double *out) { CT_TRY(*out = T(t).item<double>()) }
int ct_description(ct_tensor t, char *buffer, size_t capacity, size_t *needed) {
  CT_TRY({
    std::ostringstream s;
    s << T(t);
    auto str = s.str();
    *needed = str.size() + 1;
    if (buffer && capacity > 0) std::snprintf(buffer, capacity, "%s", str.c_str());
  })
}
int ct_shallow_clone(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(T(t))) }

int ct_to(ct_tensor t, int dtype, int dt, int di, ct_tensor *out) {
  CT_TRY(*out = wrap(T(t).to(device(dt, di), scalar_type(dtype))))
}
int ct_clone(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(T(t).clone())) }
int ct_detach(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(T(t).detach())) }
int ct_contiguous(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(T(t).contiguous())) }
int ct_set_data(ct_tensor t, ct_tensor src) { CT_TRY(T(t).set_data(T(src))) }

int ct_backward(ct_tensor t, ct_tensor gradient, int retain_graph, int create_graph) {
  CT_TRY({
    at::Tensor g = gradient ? T(gradient) : at::Tensor();
    T(t).backward(g, retain_graph != 0, create_graph != 0);
  })
}
int ct_grad(ct_tensor t, ct_tensor *out) {
  CT_TRY({
    const auto &g = T(t).grad();
    *out = g.defined() ? wrap(g) : nullptr;
  })
}
int ct_set_grad(ct_tensor t, ct_tensor grad) {
  CT_TRY({
    if (grad)
      T(t).mutable_grad() = T(grad);
    else
      T(t).mutable_grad().reset();
  })
}
int ct_autograd_grad(const ct_tensor *outputs, const ct_tensor *grad_outputs, int n_outputs, const ct_tensor *inputs,
                     int n_inputs, int retain_graph, int create_graph, int allow_unused, ct_tensor *grads) {
  CT_TRY({
    std::vector<at::Tensor> outs, gouts, ins;
    for (int i = 0; i < n_outputs; ++i) {
      outs.push_back(T(outputs[i]));
      gouts.push_back(grad_outputs && grad_outputs[i] ? T(grad_outputs[i]) : at::Tensor());
    }
    for (int i = 0; i < n_inputs; ++i) ins.push_back(T(inputs[i]));
    auto result = torch::autograd::grad(outs, ins, gouts, retain_graph != 0, create_graph != 0, allow_unused != 0);
    for (int i = 0; i < n_inputs; ++i) grads[i] = result[i].defined() ? wrap(result[i]) : nullptr;
  })
}

}  // extern "C"
