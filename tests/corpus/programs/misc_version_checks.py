# mirrors: the version guards seen across tutorials and d2l ("if torch.__version__ >= ...", split('+')[0], parse major/minor)
import torch

version = torch.__version__
print(type(version))
print(isinstance(version, str), len(version) > 0)
public = version.split('+')[0]
major, minor = (int(p) for p in public.split('.')[:2])
print(major >= 2, minor >= 0)
print(version >= "2.0", version >= "2.9", version < "3", version > (2, 1), version >= (2, 13))
if torch.__version__ >= "1.13":
    print("inference_mode and torch.func are available")
print("{} release".format(public.count('.') + 1 == 3))
print(hasattr(torch, "__version__"), hasattr(torch, "compile_me_not"))
