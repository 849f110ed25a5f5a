"""Chat models as translators and summarizers, on tiny random-weight Qwen2-, Qwen3-, Llama- and Gemma-3-shaped models:
batched decoding equals one text at a time, prompts fit the context, stop strings and glossaries reach the model."""

import pytest

from pipeline.errors import ConfigError
from pipeline.models import loading
from pipeline.summarization import SummarizerConfig, load_summarizer
from pipeline.tiny_models import CHAT_FAMILIES, ENGLISH_LINES, HINDI_LINES
from pipeline.translation import TranslatorConfig, load_translator

GREEDY = {"num_beams": 1, "max_new_tokens": 10}
# Sentences of different lengths, so that a batch pads most of them.
SENTENCES = [HINDI_LINES[0], HINDI_LINES[1] + " " + HINDI_LINES[2], "भारत", *HINDI_LINES[3:6]]


def chat_translator(folder, **settings):
    config = TranslatorConfig(model=str(folder), family="chat", **{"generation": GREEDY, **settings})
    return load_translator(config, "translate", "cpu", "fp32")


@pytest.mark.parametrize("architecture", sorted(CHAT_FAMILIES))
def test_a_batch_translates_as_each_sentence_alone(tiny_models, architecture):
    translator = chat_translator(tiny_models[f"chat-{architecture}"])
    batched = translator.translate(SENTENCES)
    alone = [translator.translate([sentence])[0] for sentence in SENTENCES]
    assert batched == alone
    assert sum(bool(t.text) for t in batched) >= len(SENTENCES) // 2  # not a degenerate model answering nothing


@pytest.mark.parametrize("architecture", sorted(CHAT_FAMILIES))
def test_a_batch_summarizes_as_each_article_alone(tiny_models, architecture):
    config = SummarizerConfig(model=str(tiny_models[f"chat-{architecture}"]), family="chat", generation=GREEDY)
    summarizer = load_summarizer(config, "cpu", "fp32", ("hin_Deva", "eng_Latn"))
    articles = [" ".join(HINDI_LINES[:3]), HINDI_LINES[4], " ".join(HINDI_LINES)]
    assert summarizer.summarize(articles) == [summarizer.summarize([article])[0] for article in articles]


def test_padding_on_the_right_would_change_the_outputs(tiny_models, monkeypatch):
    """The equality above holds because prompts are padded on the left: the check can fail."""
    translator = chat_translator(tiny_models["chat-qwen2"])
    alone = [translator.translate([sentence])[0].text for sentence in SENTENCES]
    pad = translator.tokenizer.pad
    monkeypatch.setattr(translator.tokenizer, "pad", lambda batch, **kwargs: pad(batch, **{**kwargs, "padding_side": "right"}))
    assert [t.text for t in translator.translate(SENTENCES)] != alone


def test_the_prompt_is_the_models_chat_template_with_one_begin_of_text(tiny_models):
    translator = chat_translator(tiny_models["chat-llama"])
    (ids,) = translator.tokenize([e.text for e in translator.family.encode([HINDI_LINES[0]])])
    bos = translator.tokenizer.bos_token_id
    assert ids[0] == bos and ids.count(bos) == 1
    text = translator.tokenizer.decode(ids)
    assert "Translate the following Hindi text into English" in text and HINDI_LINES[0] in text
    assert text.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")


def test_a_text_longer_than_the_context_is_cut_and_the_instructions_kept(tiny_models):
    translator = chat_translator(tiny_models["chat-qwen2"])
    long_text = " ".join(HINDI_LINES * 30)
    (encoded,) = translator.family.encode([long_text])
    assert translator.count_tokens(long_text) <= translator.max_input_tokens
    assert encoded.text.endswith("<|im_start|>assistant\n") and "Translate the following Hindi" in encoded.text
    assert translator.max_input_tokens == 512 - GREEDY["max_new_tokens"]  # the context less the answer's room


def test_a_generation_that_leaves_no_room_for_a_prompt_is_refused(tiny_models):
    with pytest.raises(ConfigError, match=r"translate.generation.max_new_tokens \(500\) leaves no room"):
        chat_translator(tiny_models["chat-qwen2"], generation={"num_beams": 1, "max_new_tokens": 500})


def test_a_stop_string_ends_the_answer(tiny_models):
    folder = tiny_models["chat-llama"]
    free = chat_translator(folder).translate([HINDI_LINES[1]])[0]
    stop = free.text[3:6]  # three characters from inside the unstopped answer
    stopped = chat_translator(folder, chat={"stop": [stop]}).translate([HINDI_LINES[1]])[0]
    assert stopped.text == free.text.split(stop, 1)[0].strip()
    assert stopped.tokens_out < free.tokens_out  # generation stopped there, not only the text cut


def test_glossary_terms_of_a_sentence_are_given_in_its_prompt(tiny_models, tmp_path):
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("source\ttarget\nमेट्रो\tMetro Rail\n", encoding="utf-8")
    translator = chat_translator(tiny_models["chat-qwen2"], glossary=str(glossary))
    with_term, without = translator.family.encode([HINDI_LINES[4], HINDI_LINES[0]])
    assert "Use these translations of terms: मेट्रो = Metro Rail" in with_term.text
    assert "Use these translations" not in without.text


def test_length_ratio_caps_new_tokens_by_the_longest_source_text(tiny_models):
    translator = chat_translator(tiny_models["chat-gemma3"], length_ratio=0.5,
                                 generation={"num_beams": 1, "max_new_tokens": 100})
    ids = translator.tokenize([e.text for e in translator.family.encode(["भारत", HINDI_LINES[1]])])
    longest_text = max(map(len, ids)) - translator.family.prompt_tokens
    assert translator.generation_for(ids).max_new_tokens == -(-longest_text // 2) + 16
    assert all(t.tokens_out <= -(-longest_text // 2) + 16 for t in translator.translate(["भारत", HINDI_LINES[1]]))


def test_qwen3_thinking_switched_off_by_the_preset(tiny_models):
    translator = chat_translator(tiny_models["chat-qwen3"], chat={"preset": "qwen3-no-thinking"})
    (encoded,) = translator.family.encode([HINDI_LINES[0]])
    assert encoded.text.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    assert translator.describe()["prompt"]["template_options"] == {"enable_thinking": False}


def test_an_encoder_decoder_model_still_loads_as_seq2seq(tiny_models):
    loaded = loading.load_model(str(tiny_models["bart-summarizer"]), None, "summarize", "cpu", "fp32")
    assert not loaded.decoder_only
    assert loading.load_model(str(tiny_models["chat-gemma3"]), None, "summarize", "cpu", "fp32").decoder_only


def test_a_model_without_a_chat_template_is_refused_for_the_chat_family(tiny_models):
    with pytest.raises(ConfigError, match="no chat template"):
        load_translator(TranslatorConfig(model=str(tiny_models["marian-hi-en"]), family="chat", generation=GREEDY),
                        "translate", "cpu", "fp32")


def test_english_sentences_for_back_translation_render_the_languages_named(tiny_models):
    config = TranslatorConfig(model=str(tiny_models["chat-qwen2"]), family="chat", src_lang="eng_Latn",
                              tgt_lang="hin_Deva", generation=GREEDY)
    translator = load_translator(config, "back_translate", "cpu", "fp32")
    (encoded,) = translator.family.encode([ENGLISH_LINES[0]])
    assert "Translate the following English text into Hindi" in encoded.text
