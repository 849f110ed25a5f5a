"""The tiny decoder-only chat models look like their families to a caller: classes, special tokens, chat template,
stop tokens, and generation that ends where the family's would."""

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

SYSTEM = "Translate the Hindi text into English."
USER = "नई दिल्ली में बारिश हुई।"
MESSAGES = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}]
CHATML = (f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{USER}<|im_end|>\n"
          "<|im_start|>assistant\n")
# Per model: its class, the exact render of MESSAGES with a generation prompt (Qwen3 with thinking off),
# the tokenizer's special tokens, and the tokens generation stops at.
FAMILIES = {
    "chat-qwen2": ("Qwen2ForCausalLM", CHATML, ("<|endoftext|>", "<|im_start|>", "<|im_end|>"),
                   ("<|im_end|>", "<|endoftext|>")),
    "chat-qwen3": ("Qwen3ForCausalLM", CHATML + "<think>\n\n</think>\n\n",
                   ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"),
                   ("<|im_end|>", "<|endoftext|>")),
    "chat-llama": ("LlamaForCausalLM",
                   f"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n{SYSTEM}<|eot_id|>"
                   f"<|start_header_id|>user<|end_header_id|>\n\n{USER}<|eot_id|>"
                   "<|start_header_id|>assistant<|end_header_id|>\n\n",
                   ("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>",
                    "<|eot_id|>", "<|finetune_right_pad_id|>"),
                   ("<|end_of_text|>", "<|eom_id|>", "<|eot_id|>")),
    "chat-gemma3": ("Gemma3ForCausalLM",
                    f"<bos><start_of_turn>user\n{SYSTEM}\n\n{USER}<end_of_turn>\n<start_of_turn>model\n",
                    ("<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"),
                    ("<eos>", "<end_of_turn>")),
}


def load(tiny_models, name):
    folder = tiny_models[name]
    return AutoTokenizer.from_pretrained(folder), AutoModelForCausalLM.from_pretrained(folder)


def render(tokenizer, messages, **settings):
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True, **settings)


@pytest.mark.parametrize("name", FAMILIES)
def test_each_chat_model_loads_offline_as_its_family_with_grouped_query_attention(tiny_models, name):
    tokenizer, model = load(tiny_models, name)
    config = model.config
    assert type(model).__name__ == FAMILIES[name][0]
    assert config.num_key_value_heads == 1 < config.num_attention_heads
    assert config.tie_word_embeddings and model.lm_head.weight is model.get_input_embeddings().weight
    assert config.vocab_size == len(tokenizer) and config.max_position_embeddings == tokenizer.model_max_length == 512
    assert tokenizer.padding_side == "right"  # the loader sets left padding for generation, not the model folder


@pytest.mark.parametrize("name", FAMILIES)
def test_the_chat_template_renders_the_familys_format(tiny_models, name):
    tokenizer, _ = load(tiny_models, name)
    thinking = {"enable_thinking": False} if name == "chat-qwen3" else {}
    assert render(tokenizer, MESSAGES, **thinking) == FAMILIES[name][1]


def test_qwen3_thinks_unless_told_not_to_and_qwen2_adds_its_default_system_turn(tiny_models):
    qwen3, _ = load(tiny_models, "chat-qwen3")
    assert render(qwen3, MESSAGES) == CHATML
    qwen2, _ = load(tiny_models, "chat-qwen2")
    assert render(qwen2, MESSAGES[1:]) == (
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
        f"<|im_start|>user\n{USER}<|im_end|>\n<|im_start|>assistant\n"
    )


def test_gemma3_wants_alternating_turns(tiny_models):
    tokenizer, _ = load(tiny_models, "chat-gemma3")
    with pytest.raises(Exception, match="alternate"):
        render(tokenizer, [{"role": "user", "content": USER}, {"role": "user", "content": USER}])


@pytest.mark.parametrize("name", FAMILIES)
def test_special_tokens_are_single_tokens_and_generation_stops_at_the_familys(tiny_models, name):
    tokenizer, model = load(tiny_models, name)
    _, _, specials, stops = FAMILIES[name]
    for token in specials:
        assert tokenizer.encode(token, add_special_tokens=False) == [tokenizer.convert_tokens_to_ids(token)], token
    assert len(set(tokenizer.convert_tokens_to_ids(list(specials)))) == len(specials)
    assert model.generation_config.eos_token_id == tokenizer.convert_tokens_to_ids(list(stops))
    assert tokenizer.pad_token is not None and model.generation_config.pad_token_id == tokenizer.pad_token_id
    assert tokenizer.eos_token in stops


@pytest.mark.parametrize("name", FAMILIES)
def test_encoding_prepends_the_familys_bos_and_a_chat_prompt_holds_only_the_templates(tiny_models, name):
    tokenizer, _ = load(tiny_models, name)
    bos = [] if tokenizer.bos_token is None else [tokenizer.bos_token_id]  # Qwen has none
    assert tokenizer.encode(USER) == bos + tokenizer.encode(USER, add_special_tokens=False)
    ids = tokenizer.apply_chat_template(MESSAGES, add_generation_prompt=True, return_dict=True)["input_ids"]
    assert ids == tokenizer.encode(render(tokenizer, MESSAGES), add_special_tokens=False)
    assert ids[:len(bos)] == bos and ids[len(bos):len(bos) + 1] != bos


@pytest.mark.parametrize("name", FAMILIES)
def test_greedy_generation_of_a_left_padded_batch_ends_at_max_new_tokens_or_a_stop_token(tiny_models, name):
    tokenizer, model = load(tiny_models, name)
    tokenizer.padding_side = "left"
    prompts = [render(tokenizer, MESSAGES), render(tokenizer, [{"role": "user", "content": "Dr. Sharma"}])]
    batch = tokenizer(prompts, add_special_tokens=False, padding=True, return_tensors="pt")
    new_tokens = 6
    with torch.no_grad():
        first, second = (model.generate(**batch, do_sample=False, max_new_tokens=new_tokens) for _ in range(2))
    assert torch.equal(first, second)  # greedy, asked for: the checkpoints' own defaults sample
    stops = set(model.generation_config.eos_token_id)
    generated = first[:, batch["input_ids"].shape[1]:].tolist()
    assert 0 < max(map(len, generated)) <= new_tokens
    for row in generated:
        ends = [index for index, token in enumerate(row) if token in stops]
        tail = row[ends[0] + 1:] if ends else []
        assert ends or len(row) == new_tokens
        assert all(token == model.generation_config.pad_token_id for token in tail)
