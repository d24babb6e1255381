// Neural-network functions (convolution, pooling, resampling, padding, normalisation,
// dropout, embedding, losses) and FFTs.
#include "internal.hpp"

using namespace ctorch;

namespace {

c10::optional<c10::string_view> fft_norm(int norm) {
  switch (norm) {
  case 0: return c10::string_view("backward");
  case 1: return c10::string_view("forward");
  case 2: return c10::string_view("ortho");
  default: throw std::invalid_argument("FFT norm must be 0 (backward), 1 (forward) or 2 (ortho)");
  }
}

c10::optional<int64_t> fft_n(int64_t n) { return n < 0 ? c10::nullopt : c10::optional<int64_t>(n); }

}  // namespace

extern "C" {

int ct_conv2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t *stride, const int64_t *padding,
              const int64_t *dilation, int64_t groups, ct_tensor *out) {
  CT_TRY(*out = wrap(at::conv2d(T(x), T(w), opt(b), dims(stride, 2), dims(padding, 2), dims(dilation, 2), groups)))
}
int ct_conv_transpose2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t *stride, const int64_t *padding,
                        const int64_t *output_padding, int64_t groups, const int64_t *dilation, ct_tensor *out) {
  CT_TRY(*out = wrap(at::conv_transpose2d(T(x), T(w), opt(b), dims(stride, 2), dims(padding, 2),
                                           dims(output_padding, 2), groups, dims(dilation, 2))))
}
int ct_conv1d(ct_tensor x, ct_tensor w, ct_tensor b, int64_t stride, int64_t padding, int64_t dilation, int64_t groups,
              ct_tensor *out) {
  CT_TRY(*out = wrap(at::conv1d(T(x), T(w), opt(b), {stride}, {padding}, {dilation}, groups)))
}
int ct_max_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                  const int64_t *dilation, int ceil_mode, ct_tensor *out) {
  CT_TRY(*out = wrap(at::max_pool2d(T(x), dims(kernel, 2), dims(stride, 2), dims(padding, 2), dims(dilation, 2),
                                     ceil_mode != 0)))
}
int ct_avg_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding, int ceil_mode,
                  int count_include_pad, ct_tensor *out) {
  CT_TRY(*out = wrap(at::avg_pool2d(T(x), dims(kernel, 2), dims(stride, 2), dims(padding, 2), ceil_mode != 0,
                                     count_include_pad != 0, c10::nullopt)))
}
int ct_adaptive_avg_pool2d(ct_tensor x, const int64_t *size, ct_tensor *out) {
  CT_TRY(*out = wrap(at::adaptive_avg_pool2d(T(x), dims(size, 2))))
}
int ct_interpolate2d(ct_tensor x, const int64_t *size, int mode, int align_corners, ct_tensor *out) {
  CT_TRY({
    switch (mode) {
    case 0: *out = wrap(at::upsample_nearest2d(T(x), dims(size, 2), c10::nullopt, c10::nullopt)); break;
    case 1: *out = wrap(at::upsample_bilinear2d(T(x), dims(size, 2), align_corners != 0, c10::nullopt, c10::nullopt)); break;
    case 2: *out = wrap(at::upsample_bicubic2d(T(x), dims(size, 2), align_corners != 0, c10::nullopt, c10::nullopt)); break;
    default: throw std::invalid_argument("interpolation mode must be 0 (nearest), 1 (bilinear) or 2 (bicubic)");
    }
  })
}
int ct_pad(ct_tensor x, const int64_t *pad, int npad, int mode, double value, ct_tensor *out) {
  CT_TRY({
    static const char *names[] = {"constant", "reflect", "replicate", "circular"};
    if (mode < 0 || mode > 3) throw std::invalid_argument("pad mode must be 0..3");
    c10::optional<double> v;
    if (mode == 0) v = value;
    *out = wrap(at::pad(T(x), dims(pad, npad), names[mode], v));
  })
}
int ct_layer_norm(ct_tensor x, const int64_t *shape, int n, ct_tensor w, ct_tensor b, double eps, ct_tensor *out) {
  CT_TRY(*out = wrap(at::layer_norm(T(x), dims(shape, n), opt(w), opt(b), eps)))
}
int ct_group_norm(ct_tensor x, int64_t groups, ct_tensor w, ct_tensor b, double eps, ct_tensor *out) {
  CT_TRY(*out = wrap(at::group_norm(T(x), groups, opt(w), opt(b), eps)))
}
int ct_batch_norm(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor rm, ct_tensor rv, int training, double momentum,
                  double eps, ct_tensor *out) {
  CT_TRY(*out = wrap(at::batch_norm(T(x), opt(w), opt(b), opt(rm), opt(rv), training != 0, momentum, eps, true)))
}
int ct_instance_norm(ct_tensor x, ct_tensor w, ct_tensor b, double eps, ct_tensor *out) {
  CT_TRY(*out = wrap(at::instance_norm(T(x), opt(w), opt(b), c10::nullopt, c10::nullopt, true, 0.1, eps, true)))
}
int ct_dropout(ct_tensor x, double p, int training, ct_generator g, ct_tensor *out) {
  CT_TRY({
    if (p < 0 || p > 1) throw std::invalid_argument("dropout probability must be in [0, 1], got " + std::to_string(p));
    const auto &t = T(x);
    if (!training || p == 0) {
      *out = wrap(t);
    } else if (p == 1) {
      *out = wrap(t * 0);
    } else {
      auto mask = at::empty_like(t, at::MemoryFormat::Contiguous).bernoulli_(1 - p, optG(g));
      *out = wrap(t * mask / (1 - p));
    }
  })
}
int ct_embedding(ct_tensor weight, ct_tensor indices, ct_tensor *out) { CT_TRY(*out = wrap(at::embedding(T(weight), T(indices)))) }
int ct_mse_loss(ct_tensor a, ct_tensor b, int reduction, ct_tensor *out) { CT_TRY(*out = wrap(at::mse_loss(T(a), T(b), reduction))) }
int ct_l1_loss(ct_tensor a, ct_tensor b, int reduction, ct_tensor *out) { CT_TRY(*out = wrap(at::l1_loss(T(a), T(b), reduction))) }
int ct_cross_entropy(ct_tensor logits, ct_tensor target, int reduction, ct_tensor *out) {
  CT_TRY(*out = wrap(at::cross_entropy_loss(T(logits), T(target), c10::nullopt, reduction, -100, 0.0)))
}

int ct_rfft(ct_tensor x, int64_t n, int64_t dim, int norm, ct_tensor *out) { CT_TRY(*out = wrap(at::fft_rfft(T(x), fft_n(n), dim, fft_norm(norm)))) }
int ct_irfft(ct_tensor x, int64_t n, int64_t dim, int norm, ct_tensor *out) { CT_TRY(*out = wrap(at::fft_irfft(T(x), fft_n(n), dim, fft_norm(norm)))) }
int ct_fft(ct_tensor x, int64_t n, int64_t dim, int norm, ct_tensor *out) { CT_TRY(*out = wrap(at::fft_fft(T(x), fft_n(n), dim, fft_norm(norm)))) }
int ct_ifft(ct_tensor x, int64_t n, int64_t dim, int norm, ct_tensor *out) { CT_TRY(*out = wrap(at::fft_ifft(T(x), fft_n(n), dim, fft_norm(norm)))) }

}  // extern "C"
