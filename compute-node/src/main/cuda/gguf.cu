// Kernels for models whose weights come from a GGUF file: matrix-vector products that read the
// weights in their stored ggml block layout (F32, F16, Q8_0, Q4_K), dequantizing in registers, and
// the small ops Llama 3 / Qwen2 need beyond llama2.c (biases, RoPE variants). Included by llama.cu
// so that one PTX module holds every kernel; it relies on WARP, warp_sum and warp_dot from there.
//
// Weight layouts (little-endian, rows of whole blocks, as io.gridshare.node.tensor.GgmlType
// documents them):
//   F16   2-byte IEEE half per weight
//   Q8_0  34-byte blocks of 32: f16 d, 32 int8 q; w = d * q
//   Q4_K  144-byte blocks of 256: f16 d, f16 dmin, 12 bytes of 6-bit (scale, min) for 8
//         sub-blocks of 32, 128 bytes of nibbles. Sub-block 2g holds the low nibbles and 2g + 1 the
//         high nibbles of bytes qs[32 g, 32 g + 32); w = d * sc * q - dmin * m
//
// Every product kernel computes out[b, r] = (accumulate ? out[b, r] : 0) + dot(W[r, :], x[b, :])
// (+ bias[r] when bias is not null), one warp per row. The plain variants take the batch row from
// blockIdx.y (grid (ceil(rows / warps), B)) and read the weights once per batch row; the _batched
// variants take the batch size from device memory (*batch, so a captured graph replays for any
// step shape) and read each weight once for up to MAX_BATCH activation rows, keeping one
// accumulator per row in registers (grid (ceil(rows / warps)), block warps * 32).

#include <cuda_fp16.h>
#include <stdint.h>

#define MAX_BATCH 8
#define Q8_0_BYTES 34
#define Q4_K_BYTES 144
#define GGML_F32 0
#define GGML_F16 1
#define GGML_Q8_0 8
#define GGML_Q4_K 12

__device__ __forceinline__ float half_at(const uint8_t* p) {
    return __half2float(__ushort_as_half(*reinterpret_cast<const unsigned short*>(p)));
}

// 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes q, as ggml packs them.
__device__ __forceinline__ void q4k_scale_min(int j, const uint8_t* q, int& sc, int& m) {
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

__device__ __forceinline__ size_t row_bytes(int type, int cols) {
    switch (type) {
        case GGML_F16: return (size_t) cols * 2;
        case GGML_Q8_0: return (size_t) (cols / 32) * Q8_0_BYTES;
        case GGML_Q4_K: return (size_t) (cols / 256) * Q4_K_BYTES;
        default: return (size_t) cols * 4;
    }
}

// Weight i of a row in any supported layout (embedding lookups; not for the hot loops).
__device__ float weight_at(const uint8_t* row, int type, int i) {
    switch (type) {
        case GGML_F16:
            return half_at(row + 2 * (size_t) i);
        case GGML_Q8_0: {
            const uint8_t* block = row + (size_t) (i / 32) * Q8_0_BYTES;
            return half_at(block) * (float) (int8_t) block[2 + i % 32];
        }
        case GGML_Q4_K: {
            const uint8_t* block = row + (size_t) (i / 256) * Q4_K_BYTES;
            int e = i % 256;
            int g = e / 64, high = (e % 64) / 32, l = e % 32;
            uint8_t byte = block[16 + 32 * g + l];
            int q = high ? byte >> 4 : byte & 0xF;
            int sc, m;
            q4k_scale_min(2 * g + high, block + 4, sc, m);
            return half_at(block) * sc * q - half_at(block + 2) * m;
        }
        default:
            return reinterpret_cast<const float*>(row)[i];
    }
}

// Row dot products of one warp: acc[b] += this lane's share of dot(row, x[b, :]) for b < nb.
// The caller reduces acc across the warp. x points at nb rows of cols floats.

// F32 in the order of llama.cu's warp_dot, so llama2.c models keep their numerics exactly.
template <int NB>
__device__ __forceinline__ void dot_f32(const uint8_t* row, const float* __restrict__ x, int cols, int nb,
                                        float* acc) {
    int lane = threadIdx.x % WARP;
    const float* w = reinterpret_cast<const float*>(row);
    if ((cols & 3) == 0) {
        const float4* w4 = reinterpret_cast<const float4*>(w);
        int n4 = cols >> 2;
        for (int j = lane; j < n4; j += WARP) {
            float4 a = __ldg(&w4[j]);
#pragma unroll
            for (int b = 0; b < NB; b++) {
                if (b < nb) {
                    float4 v = reinterpret_cast<const float4*>(x + (size_t) b * cols)[j];
                    acc[b] += a.x * v.x + a.y * v.y + a.z * v.z + a.w * v.w;
                }
            }
        }
    } else {
        for (int j = lane; j < cols; j += WARP) {
            float a = __ldg(&w[j]);
#pragma unroll
            for (int b = 0; b < NB; b++) {
                if (b < nb) acc[b] += a * x[(size_t) b * cols + j];
            }
        }
    }
}

// F16: eight halves (16 bytes) per lane and step when rows are 16-byte aligned (cols % 8 == 0).
template <int NB>
__device__ __forceinline__ void dot_f16(const uint8_t* row, const float* __restrict__ x, int cols, int nb,
                                        float* acc) {
    int lane = threadIdx.x % WARP;
    if ((cols & 7) == 0) {
        const uint4* w8 = reinterpret_cast<const uint4*>(row);
        int n8 = cols >> 3;
        for (int j = lane; j < n8; j += WARP) {
            uint4 raw = __ldg(&w8[j]);
            float w[8];
            const __half2* h = reinterpret_cast<const __half2*>(&raw);
#pragma unroll
            for (int t = 0; t < 4; t++) {
                float2 f = __half22float2(h[t]);
                w[2 * t] = f.x;
                w[2 * t + 1] = f.y;
            }
#pragma unroll
            for (int b = 0; b < NB; b++) {
                if (b < nb) {
                    const float4* xv = reinterpret_cast<const float4*>(x + (size_t) b * cols) + 2 * j;
                    float4 v0 = xv[0], v1 = xv[1];
                    acc[b] += w[0] * v0.x + w[1] * v0.y + w[2] * v0.z + w[3] * v0.w
                            + w[4] * v1.x + w[5] * v1.y + w[6] * v1.z + w[7] * v1.w;
                }
            }
        }
    } else {
        const __half* w = reinterpret_cast<const __half*>(row);
        for (int j = lane; j < cols; j += WARP) {
            float a = __half2float(w[j]);
#pragma unroll
            for (int b = 0; b < NB; b++) {
                if (b < nb) acc[b] += a * x[(size_t) b * cols + j];
            }
        }
    }
}

// Q8_0: four lanes per block (eight weights each), eight consecutive blocks per warp and step, so
// a warp reads 272 contiguous bytes at a time. Blocks are only 2-byte aligned: 16-bit loads.
template <int NB>
__device__ __forceinline__ void dot_q8_0(const uint8_t* row, const float* __restrict__ x, int cols, int nb,
                                         float* acc) {
    int lane = threadIdx.x % WARP;
    int part = lane % 4;
    int blocks = cols / 32;
    for (int blk = lane / 4; blk < blocks; blk += WARP / 4) {
        const uint8_t* block = row + (size_t) blk * Q8_0_BYTES;
        float d = half_at(block);
        const unsigned short* qs = reinterpret_cast<const unsigned short*>(block + 2 + 8 * part);
        float w[8];
#pragma unroll
        for (int t = 0; t < 4; t++) {
            unsigned short pair = __ldg(&qs[t]);
            w[2 * t] = (float) (int8_t) (pair & 0xFF);
            w[2 * t + 1] = (float) (int8_t) (pair >> 8);
        }
        int col = blk * 32 + 8 * part;
#pragma unroll
        for (int b = 0; b < NB; b++) {
            if (b < nb) {
                const float4* xv = reinterpret_cast<const float4*>(x + (size_t) b * cols + col);
                float4 v0 = xv[0], v1 = xv[1];
                float s = w[0] * v0.x + w[1] * v0.y + w[2] * v0.z + w[3] * v0.w
                        + w[4] * v1.x + w[5] * v1.y + w[6] * v1.z + w[7] * v1.w;
                acc[b] += d * s;
            }
        }
    }
}

// Q4_K: the whole warp on one 256-weight block at a time. Lane L reads the 4 bytes
// qs[32 g + 4 (L % 8), +4) with g = L / 8 (the warp reads the 128 nibble bytes in one coalesced
// sweep): their low nibbles are weights 64 g + 4 (L % 8) .. +3 of sub-block 2 g, their high nibbles
// the weights 32 further on, of sub-block 2 g + 1. d * sc * q - dmin * m summed as
// d * sc * sum(q x) - dmin * m * sum(x).
template <int NB>
__device__ __forceinline__ void dot_q4_k(const uint8_t* row, const float* __restrict__ x, int cols, int nb,
                                         float* acc) {
    int lane = threadIdx.x % WARP;
    int g = lane / 8;
    int l0 = 4 * (lane % 8);
    int blocks = cols / 256;
    for (int blk = 0; blk < blocks; blk++) {
        const uint8_t* block = row + (size_t) blk * Q4_K_BYTES;
        float d = half_at(block);
        float dmin = half_at(block + 2);
        int sc_lo, m_lo, sc_hi, m_hi;
        q4k_scale_min(2 * g, block + 4, sc_lo, m_lo);
        q4k_scale_min(2 * g + 1, block + 4, sc_hi, m_hi);
        unsigned int packed = __ldg(reinterpret_cast<const unsigned int*>(block + 16 + 32 * g + l0));
        float lo[4], hi[4];
#pragma unroll
        for (int t = 0; t < 4; t++) {
            unsigned int byte = (packed >> (8 * t)) & 0xFF;
            lo[t] = (float) (byte & 0xF);
            hi[t] = (float) (byte >> 4);
        }
        float d_lo = d * sc_lo, d_hi = d * sc_hi;
        float min_lo = dmin * m_lo, min_hi = dmin * m_hi;
        int col = blk * 256 + 64 * g + l0;
#pragma unroll
        for (int b = 0; b < NB; b++) {
            if (b < nb) {
                const float* xb = x + (size_t) b * cols + col;
                float4 v0 = *reinterpret_cast<const float4*>(xb);
                float4 v1 = *reinterpret_cast<const float4*>(xb + 32);
                float qx_lo = lo[0] * v0.x + lo[1] * v0.y + lo[2] * v0.z + lo[3] * v0.w;
                float qx_hi = hi[0] * v1.x + hi[1] * v1.y + hi[2] * v1.z + hi[3] * v1.w;
                float sx_lo = v0.x + v0.y + v0.z + v0.w;
                float sx_hi = v1.x + v1.y + v1.z + v1.w;
                acc[b] += d_lo * qx_lo - min_lo * sx_lo + d_hi * qx_hi - min_hi * sx_hi;
            }
        }
    }
}

template <int NB>
__device__ __forceinline__ void dot_any(int type, const uint8_t* row, const float* x, int cols, int nb, float* acc) {
    switch (type) {
        case GGML_F16: dot_f16<NB>(row, x, cols, nb, acc); break;
        case GGML_Q8_0: dot_q8_0<NB>(row, x, cols, nb, acc); break;
        case GGML_Q4_K: dot_q4_k<NB>(row, x, cols, nb, acc); break;
        default: dot_f32<NB>(row, x, cols, nb, acc); break;
    }
}

// Rows of this warp for batch rows [b0, b0 + nb): dot, warp reduction, bias, store or accumulate.
template <int TYPE, int NB>
__device__ __forceinline__ void matvec_rows(float* __restrict__ out, const uint8_t* __restrict__ w,
                                            const float* __restrict__ x, const float* __restrict__ bias,
                                            int cols, int rows, int accumulate, int b0, int nb) {
    int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
    if (row >= rows) return;
    float acc[NB];
#pragma unroll
    for (int b = 0; b < NB; b++) acc[b] = 0.0f;
    dot_any<NB>(TYPE, w + (size_t) row * row_bytes(TYPE, cols), x + (size_t) b0 * cols, cols, nb, acc);
#pragma unroll
    for (int b = 0; b < NB; b++) acc[b] = warp_sum(acc[b]);
    if (threadIdx.x % WARP == 0) {
#pragma unroll
        for (int b = 0; b < NB; b++) {
            if (b < nb) {
                float v = acc[b];
                if (bias != nullptr) v += bias[row];
                float* o = out + (size_t) (b0 + b) * rows + row;
                if (accumulate) {
                    *o += v;
                } else {
                    *o = v;
                }
            }
        }
    }
}

template <int TYPE>
__device__ __forceinline__ void matvec_single(float* out, const uint8_t* w, const float* x, const float* bias,
                                              int cols, int rows, int accumulate) {
    matvec_rows<TYPE, 1>(out, w, x, bias, cols, rows, accumulate, blockIdx.y, 1);
}

template <int TYPE>
__device__ __forceinline__ void matvec_batched(float* out, const uint8_t* w, const float* x, const float* bias,
                                               int cols, int rows, int accumulate, const int* batch) {
    int n = *batch;
    for (int b0 = 0; b0 < n; b0 += MAX_BATCH) {
        matvec_rows<TYPE, MAX_BATCH>(out, w, x, bias, cols, rows, accumulate, b0, min(MAX_BATCH, n - b0));
    }
}

#define MATVEC_KERNELS(NAME, TYPE)                                                                               \
    extern "C" __global__ void matvec_##NAME(float* __restrict__ out, const uint8_t* __restrict__ w,            \
                                             const float* __restrict__ x, const float* __restrict__ bias,       \
                                             int cols, int rows, int accumulate) {                              \
        matvec_single<TYPE>(out, w, x, bias, cols, rows, accumulate);                                            \
    }                                                                                                            \
    extern "C" __global__ void matvec_##NAME##_batched(float* __restrict__ out, const uint8_t* __restrict__ w,  \
                                                       const float* __restrict__ x,                             \
                                                       const float* __restrict__ bias, int cols, int rows,      \
                                                       int accumulate, const int* __restrict__ batch) {         \
        matvec_batched<TYPE>(out, w, x, bias, cols, rows, accumulate, batch);                                    \
    }

// matvec_f32, matvec_f32_batched, matvec_f16, ..., matvec_q4_k_batched
MATVEC_KERNELS(f32, GGML_F32)
MATVEC_KERNELS(f16, GGML_F16)
MATVEC_KERNELS(q8_0, GGML_Q8_0)
MATVEC_KERNELS(q4_k, GGML_Q4_K)

// x[b, :] = dequantized row token[b] of a table in any supported layout (type = ggml id).
// grid (B), block any.
extern "C" __global__ void embed_any(float* __restrict__ x, const uint8_t* __restrict__ table,
                                     const int* __restrict__ token, int dim, int type) {
    int b = blockIdx.x;
    const uint8_t* row = table + (size_t) token[b] * row_bytes(type, dim);
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        x[(size_t) b * dim + i] = weight_at(row, type, i);
    }
}

// x[b, i] += bias[i] for i < width. grid (ceil(width / 256), B), block 256.
extern "C" __global__ void bias_add(float* __restrict__ x, const float* __restrict__ bias, int width) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= width) return;
    x[(size_t) blockIdx.y * width + i] += bias[i];
}

// hb[b, i] = silu(hb[b, i]) * up[b, i], as swiglu_matvec computes it, for separate gate and up
// products. grid (ceil(hidden / 256), B), block 256.
extern "C" __global__ void swiglu_rows(float* __restrict__ hb, const float* __restrict__ up, int hidden) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= hidden) return;
    size_t at = (size_t) blockIdx.y * hidden + i;
    float val = hb[at];
    val *= (1.0f / (1.0f + expf(-val)));
    val *= up[at];
    hb[at] = val;
}

// Rotates (a, b) by the angle whose (cos, sin) is cs.
__device__ __forceinline__ void rotate(float* a, float* b, float2 cs) {
    float v0 = *a, v1 = *b;
    *a = v0 * cs.x - v1 * cs.y;
    *b = v0 * cs.y + v1 * cs.x;
}

// Index of the two dimensions of pair j of a head: adjacent (2j, 2j + 1), or NEOX (j, j + dims/2)
// for the rotated pairs. Pairs j >= rope_dims / 2 are not rotated; they are (2j, 2j + 1) in both
// styles, which covers the dimensions [rope_dims, head_size) once.
__device__ __forceinline__ int2 rope_pair(int j, int rope_dims, int neox) {
    if (neox && j < rope_dims / 2) return make_int2(j, j + rope_dims / 2);
    return make_int2(2 * j, 2 * j + 1);
}

// RoPE for Llama-family models with a choice of pairing: q rotated in place, k rotated into the
// slot's cache at (layer, pos) and v copied there. Only the first rope_dims dimensions of each
// head rotate; the table holds (cos, sin) for [pos][rope_dims / 2], computed on the host from the
// model's theta and frequency factors. With neox == 0 and rope_dims == head_size it computes
// exactly what rope_store computes. grid (B), block 256.
extern "C" __global__ void rope_store_ext(float* __restrict__ q, const float* __restrict__ k,
                                          const float* __restrict__ v, float* const* __restrict__ key_cache,
                                          float* const* __restrict__ value_cache,
                                          const float2* __restrict__ rope, const int* __restrict__ slot,
                                          const int* __restrict__ pos, int layer, int seq_len, int dim, int kv_dim,
                                          int head_size, int rope_dims, int neox) {
    int b = blockIdx.x;
    int p = pos[b];
    size_t cache_row = ((size_t) layer * seq_len + p) * kv_dim;
    float* kc = key_cache[slot[b]] + cache_row;
    float* vc = value_cache[slot[b]] + cache_row;
    int half_rot = rope_dims / 2;
    const float2* angles = rope + (size_t) p * half_rot;
    float* qr = q + (size_t) b * dim;
    const float* kr = k + (size_t) b * kv_dim;
    const float* vr = v + (size_t) b * kv_dim;
    int pairs_per_head = head_size / 2;
    for (int w = threadIdx.x; w < dim / 2; w += blockDim.x) {
        int head = w / pairs_per_head;
        int j = w % pairs_per_head;
        int2 at = rope_pair(j, rope_dims, neox);
        int i0 = head * head_size + at.x;
        int i1 = head * head_size + at.y;
        bool rotated = j < half_rot;
        if (rotated) rotate(&qr[i0], &qr[i1], angles[j]);
        if (i0 < kv_dim) {
            float k0 = kr[i0], k1 = kr[i1];
            if (rotated) rotate(&k0, &k1, angles[j]);
            kc[i0] = k0;
            kc[i1] = k1;
            vc[i0] = vr[i0];
            vc[i1] = vr[i1];
        }
    }
}
