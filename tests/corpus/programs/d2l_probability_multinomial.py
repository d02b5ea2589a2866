# mirrors: d2l-ai/d2l-en chapter_preliminaries/probability.md (a fair die with torch.distributions.multinomial.Multinomial)
import torch
from torch.distributions.multinomial import Multinomial

torch.manual_seed(0)
fair_probs = torch.ones(6) / 6
print(Multinomial(1, fair_probs).sample())
counts = Multinomial(1000, fair_probs).sample()
print(counts / 1000)
