"Tests of mmtrend.text (chapter 03): tokenizer, word2vec embedder, GloVe, sentence encoders."
import os, subprocess, sys, warnings
from pathlib import Path
import numpy as np, pytest
from gensim.models import KeyedVectors
from sklearn.base import clone
import mmtrend.text as T
from mmtrend.text import (tokenize, clean_captions, Word2VecEmbedder, load_keyed_vectors, load_glove, embed_sentences,
                          FASHION_WORDS)
from mmtrend.data import cache_dir, load_closet


@pytest.fixture(scope='module')
def closet(): return load_closet()


# ---- tokenizer ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('word', ['阔腿裤', '高腰', '显瘦', '氛围感', '小个子', '梨形身材', '连衣裙', '直筒裤', '西装裤', '绝绝子'])
def test_user_dictionary_words_stay_whole(word):
    for text in (f'这条{word}真的很好看', f'{word}{word}', f'今天穿了{word}，超级好看！'):
        assert word in tokenize(text), (text, tokenize(text))


def test_every_dictionary_word_whole_in_closet(closet):
    for cap in closet.caption[:300]:
        toks = tokenize(cap)
        for w in FASHION_WORDS:
            if w in cap: assert any(w.lower() in t for t in toks), (w, cap, toks)


def test_mixed_emoji_hashtags_punctuation():
    assert tokenize('OOTD｜高腰阔腿裤 + basic tee😍😍✨ 绝绝子！！ #通勤穿搭 #OOTD') == \
        ['ootd', '高腰', '阔腿裤', 'basic', 'tee', '😍', '😍', '✨', '绝绝子', '!!', '#通勤穿搭', '通勤', '穿搭', '#ootd', 'ootd']
    assert tokenize('#通勤穿搭[话题]# 怎么样？？？', hashtag_words=False) == ['#通勤穿搭', '怎么样', '??']
    assert tokenize("Wide-leg, don't! #CommuteOutfit 👍🏽☁️") == ['wide-leg', "don't", '!', '#commuteoutfit', 'commute', 'outfit', '👍🏽', '☁']
    assert tokenize('白色T恤～') == ['白色', 't恤', '~']
    assert tokenize('') == [] and tokenize('，。|+') == []


def test_bad_input_messages_and_batch_continues():
    with pytest.raises(TypeError, match='caption is None'): tokenize(None)
    with pytest.raises(TypeError, match='caption must be text'): tokenize(12)
    with pytest.raises(ValueError, match='not valid UTF-8'): tokenize(b'\xff\xfeabc')
    texts, probs = clean_captions(['显瘦', None, b'\xff', '', '🔥✨', '#ootd'], ids=list('abcdef'))
    assert texts == ['显瘦', '', '', '', '🔥✨', '#ootd']
    by_id = probs.set_index('id')
    assert list(by_id.index) == ['b', 'c', 'd', 'e', 'f']
    assert by_id.severity['b'] == 'error' and 'None' in by_id.reason['b'] and 'UTF-8' in by_id.reason['c']
    assert by_id.reason['d'] == 'empty caption' and 'no words' in by_id.reason['e'] and 'no words' in by_id.reason['f']
    texts, probs = clean_captions([b'ok \xff'], errors='replace')
    assert texts == ['ok \ufffd'] and probs.severity.tolist() == ['warning']


# ---- word2vec -----------------------------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def split(closet): return closet.caption[:150].tolist(), closet.caption[150:200].tolist()


@pytest.mark.parametrize('pooling', ['mean', 'sif', 'tfidf'])
def test_w2v_shapes_and_determinism(split, pooling):
    train, test = split
    a = Word2VecEmbedder(vector_size=24, epochs=3, pooling=pooling, seed=1).fit(train).transform(test)
    b = clone(Word2VecEmbedder(vector_size=24, epochs=3, pooling=pooling, seed=1)).fit(train).transform(test)
    assert a.shape == (50, 24) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, Word2VecEmbedder(vector_size=24, epochs=3, pooling=pooling, seed=2).fit(train).transform(test))


def test_w2v_determinism_across_hash_seeds(split):
    "Two processes with different PYTHONHASHSEED give byte-identical vectors."
    code = ("import sys, numpy as np; from mmtrend.data import load_closet; from mmtrend.text import Word2VecEmbedder\n"
            "c = load_closet().caption.tolist(); v = Word2VecEmbedder(vector_size=16, epochs=2).fit(c[:100]).transform(c[100:120])\n"
            "sys.stdout.write(v.tobytes().hex())")
    outs = [subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                           env={**os.environ, 'PYTHONHASHSEED': s}).stdout for s in ('1', '2')]
    assert outs[0] == outs[1] and len(outs[0]) == 20 * 16 * 4 * 2


def test_w2v_vocabulary_from_train_only(split):
    train, test = split
    emb = Word2VecEmbedder(vector_size=16, epochs=2, min_count=1).fit(train)
    vocab_train = {t for c in train for t in tokenize(c)}
    assert set(emb.wv_.key_to_index) <= vocab_train
    emb.fit(train + ['zebraprint zebraprint'])
    assert 'zebraprint' in emb.wv_.key_to_index
    assert 'zebraprint' not in Word2VecEmbedder(vector_size=16, epochs=2, min_count=1).fit(train).wv_.key_to_index


def test_w2v_zero_vector_flag_and_oov(split):
    train, _ = split
    emb = Word2VecEmbedder(vector_size=16, epochs=2).fit(train)
    with pytest.warns(UserWarning, match=r"record 0: no known token: zero vector"):
        X = emb.transform(['zebraprint', train[0], '', None])
    assert emb.empty_.tolist() == [True, False, True, True]
    assert (X[0] == 0).all() and (X[2] == 0).all() and (X[3] == 0).all() and np.abs(X[1]).sum() > 0
    assert 'caption is None' in ' '.join(emb.problems_.reason)
    assert emb.oov_rate_ == pytest.approx(1 / (1 + len(tokenize(train[0]))))
    assert emb.train_oov_rate_ == 0.0


def test_sif_removes_common_component(split):
    train, test = split
    emb = Word2VecEmbedder(vector_size=16, epochs=2, pooling='sif').fit(train)
    assert np.abs(emb.transform(train) @ emb.pc_).max() < 1e-4


def test_pretrained_formats_and_wrong_dimension(tmp_path):
    kv = KeyedVectors(4); kv.add_vectors(['阔腿裤', '显瘦', 'dress'], np.arange(12, dtype=np.float32).reshape(3, 4))
    kv.save_word2vec_format(str(tmp_path/'v.bin'), binary=True)
    kv.save_word2vec_format(str(tmp_path/'v.txt'))
    kv.save_word2vec_format(str(tmp_path/'g.txt'), write_header=False)
    for f in ('v.bin', 'v.txt', 'g.txt'): np.testing.assert_array_equal(load_keyed_vectors(tmp_path/f)['dress'], kv['dress'])
    with pytest.raises(ValueError, match='have 4 dimensions but vector_size=100'):
        Word2VecEmbedder(vector_size=100, pretrained=str(tmp_path/'v.bin')).fit(['dress'])
    X = Word2VecEmbedder(vector_size=4, pretrained=str(tmp_path/'v.txt')).fit(['x']).transform(['阔腿裤显瘦'])
    np.testing.assert_array_equal(X[0], (kv['阔腿裤'] + kv['显瘦']) / 2)
    with pytest.raises(FileNotFoundError): load_keyed_vectors(tmp_path/'missing.bin')


# ---- GloVe --------------------------------------------------------------------------------------------------------
def test_glove_shape_and_values(closet):
    g = load_glove()
    assert g.vectors.shape == (400_000, 50) and len(g.key_to_index) == 400_000
    np.testing.assert_allclose(g['the'][:3], [0.418, 0.24968, -0.41242], atol=1e-5)
    emb = Word2VecEmbedder(vector_size=50, pretrained='glove-6b-50d').fit(closet.caption_en[:100])
    X = emb.transform(closet.caption_en[:100])
    assert X.shape == (100, 50) and X.dtype == np.float32 and not emb.empty_.any() and emb.oov_rate_ < 0.5


def test_parquet_vocabulary_matches_glove_order():
    words = T.read_parquet_strings(T.glove_files()[0], 'index')
    assert len(words) == 400_000 and words[:4] == ['the', ',', '.', 'of'] and words[-1] == 'sandberger'


# ---- sentence encoders --------------------------------------------------------------------------------------------
@pytest.mark.parametrize('model', ['e5', 'minilm'])
def test_sentence_encoders_shape_determinism(closet, model):
    caps = closet.caption_en[:6].tolist() if model == 'minilm' else closet.caption[:6].tolist()
    with pytest.warns(UserWarning, match='record 6: empty caption'):
        a, flags = embed_sentences(caps + [''], model, cache=False, progress=False, return_flags=True)
    b = embed_sentences(caps, model, batch_size=4, cache=False, progress=False)
    assert a.shape == (7, 384) and a.dtype == np.float32 and flags.tolist() == [False] * 6 + [True]
    assert (a[6] == 0).all()
    np.testing.assert_allclose(np.linalg.norm(a[:6], axis=1), 1, atol=1e-3)
    np.testing.assert_allclose(a[:6], b, atol=1e-5)


def test_sentence_cache_skips_the_model(closet, tmp_path, monkeypatch):
    monkeypatch.setenv('MMTREND_CACHE', str(tmp_path))
    caps = closet.caption[:5].tolist()
    first = embed_sentences(caps, 'e5', progress=False)
    assert len(list(cache_dir('text', 'sentences').glob('e5-*.npy'))) == 1
    assert cache_dir('text', 'sentences').is_relative_to(tmp_path)
    encode, weights = T.load_sentence_model('e5')
    def boom(texts): raise AssertionError('the encoder ran although the result was cached')
    monkeypatch.setattr(T, 'load_sentence_model', lambda name: (boom, weights))
    np.testing.assert_array_equal(embed_sentences(caps, 'e5', progress=False), first)
    with pytest.raises(AssertionError, match='encoder ran'): embed_sentences(caps[:2], 'e5', progress=False)


def test_unknown_sentence_model():
    with pytest.raises(ValueError, match='unknown sentence model'): embed_sentences(['x'], 'imagebind')
