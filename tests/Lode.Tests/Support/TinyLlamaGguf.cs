using System.Text;

namespace Lode.Tests.Support;

/// <summary>
/// Writes a tiny LLaMA-architecture GGUF (version 3, f32 tensors, random weights from a fixed seed, ~650 KB) that
/// llama.cpp loads and generates with. The output is gibberish but deterministic, which is all the tests need: real
/// weights cannot be downloaded here. The vocabulary is a SentencePiece-style ("llama") tokenizer: &lt;unk&gt;, &lt;s&gt;,
/// &lt;/s&gt;, the 256 byte-fallback tokens llama.cpp requires, the ChatML markers, single characters, and a few hundred
/// English word pieces with every "▁"-prefix of each word, so SentencePiece's bigram merges can reach whole words.
/// Special and byte tokens have all-zero output weights, so they are never sampled: the model does not stop by itself.
/// The file carries a ChatML <c>tokenizer.chat_template</c> (llama.cpp recognises it by <c>&lt;|im_start|&gt;</c>)
/// unless written with <paramref name="withChatTemplate"/> false.
/// </summary>
public static class TinyLlamaGguf
{
    public const int TrainedContext = 256;
    public const int EmbeddingLength = 64;
    public const int FeedForwardLength = 128;
    public const int BlockCount = 2;
    public const int HeadCount = 4;
    public const uint DefaultSeed = 20240607;

    public const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
        "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private const string SpaceMarker = "\u2581";

    private static readonly string[] Words =
    [
        "the", "of", "and", "to", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are", "with", "as",
        "I", "his", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by", "word", "but", "what", "some",
        "we", "can", "out", "other", "were", "all", "there", "when", "up", "use", "your", "how", "said", "an", "each",
        "she", "which", "do", "their", "time", "if", "will", "way", "about", "many", "then", "them", "write", "would",
        "like", "so", "these", "her", "long", "make", "thing", "see", "him", "two", "has", "look", "more", "day",
        "could", "go", "come", "did", "number", "sound", "no", "most", "people", "my", "over", "know", "water", "than",
        "call", "first", "who", "may", "down", "side", "been", "now", "find", "harbour", "document", "answer",
        "question", "policy", "report", "source", "page", "hello", "world", "Lode",
    ];

    /// <summary>Writes the model to a new file under the temp folder and returns its path.</summary>
    /// <param name="contextLength">The trained context recorded in the file. RoPE has no position tensors, so a
    /// larger value costs nothing but KV cache; the whole chat path (instructions, sources) needs a few thousand.</param>
    public static string WriteTempFile(uint seed = DefaultSeed, bool withChatTemplate = true, int contextLength = TrainedContext, LlamaShape? shape = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lode-tiny-llama-{seed}-{(withChatTemplate ? "chatml" : "notemplate")}-{Guid.NewGuid():N}.gguf");
        Write(path, seed, withChatTemplate, contextLength, shape);
        return path;
    }

    public static void Write(string path, uint seed = DefaultSeed, bool withChatTemplate = true, int contextLength = TrainedContext, LlamaShape? shape = null)
    {
        using var stream = new BufferedStream(File.Create(path), 1 << 20);
        Write(stream, seed, withChatTemplate, contextLength, shape);
    }

    /// <summary>
    /// The transformer's size. <see cref="LlamaShape.Tiny"/> (the tests') is call-overhead bound; the LLM benchmark
    /// writes a larger one (tens of millions of parameters) so that decoding is bound by reading the weights.
    /// </summary>
    public sealed record LlamaShape(int EmbeddingLength, int FeedForwardLength, int BlockCount, int HeadCount)
    {
        public static LlamaShape Tiny { get; } = new(TinyLlamaGguf.EmbeddingLength, TinyLlamaGguf.FeedForwardLength, TinyLlamaGguf.BlockCount, TinyLlamaGguf.HeadCount);

        /// <summary>Parameters for a vocabulary of <paramref name="vocabularySize"/> (embeddings, blocks, output).</summary>
        public long Parameters(int vocabularySize) =>
            2L * EmbeddingLength * vocabularySize + EmbeddingLength
            + BlockCount * (4L * EmbeddingLength * EmbeddingLength + 3L * EmbeddingLength * FeedForwardLength + 2L * EmbeddingLength);
    }

    /// <summary>The vocabulary in id order (the tests compare tokenizations against it).</summary>
    public static IReadOnlyList<string> Vocabulary => BuildVocabulary().Select(t => t.Text).ToArray();

    public static void Write(Stream stream, uint seed = DefaultSeed, bool withChatTemplate = true, int contextLength = TrainedContext, LlamaShape? shape = null)
    {
        shape ??= LlamaShape.Tiny;
        var vocabulary = BuildVocabulary();
        var random = new SplitMix64(seed);
        var tensors = BuildTensors(vocabulary, random, shape);

        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        var metadata = new List<Action<BinaryWriter>>
        {
            m => WriteKv(m, "general.architecture", "llama"),
            m => WriteKv(m, "general.name", "lode-tiny-llama"),
            m => WriteKvU32(m, "general.file_type", 0), // ALL_F32
            m => WriteKvU32(m, "general.alignment", Alignment),
            m => WriteKvU32(m, "llama.context_length", (uint)contextLength),
            m => WriteKvU32(m, "llama.embedding_length", (uint)shape.EmbeddingLength),
            m => WriteKvU32(m, "llama.block_count", (uint)shape.BlockCount),
            m => WriteKvU32(m, "llama.feed_forward_length", (uint)shape.FeedForwardLength),
            m => WriteKvU32(m, "llama.attention.head_count", (uint)shape.HeadCount),
            m => WriteKvU32(m, "llama.attention.head_count_kv", (uint)shape.HeadCount),
            m => WriteKvU32(m, "llama.rope.dimension_count", (uint)(shape.EmbeddingLength / shape.HeadCount)),
            m => WriteKvF32(m, "llama.rope.freq_base", 10000f),
            m => WriteKvF32(m, "llama.attention.layer_norm_rms_epsilon", 1e-5f),
            m => WriteKvU32(m, "llama.vocab_size", (uint)vocabulary.Count),
            m => WriteKv(m, "tokenizer.ggml.model", "llama"),
            m => WriteKvStrings(m, "tokenizer.ggml.tokens", vocabulary.Select(t => t.Text).ToArray()),
            m => WriteKvF32s(m, "tokenizer.ggml.scores", vocabulary.Select(t => t.Score).ToArray()),
            m => WriteKvI32s(m, "tokenizer.ggml.token_type", vocabulary.Select(t => (int)t.Type).ToArray()),
            m => WriteKvU32(m, "tokenizer.ggml.unknown_token_id", 0),
            m => WriteKvU32(m, "tokenizer.ggml.bos_token_id", 1),
            m => WriteKvU32(m, "tokenizer.ggml.eos_token_id", 2),
            m => WriteKvU32(m, "tokenizer.ggml.eot_token_id", (uint)vocabulary.FindIndex(t => t.Text == "<|im_end|>")),
            m => WriteKvBool(m, "tokenizer.ggml.add_bos_token", true),
            m => WriteKvBool(m, "tokenizer.ggml.add_eos_token", false),
        };
        if (withChatTemplate)
        {
            metadata.Add(m => WriteKv(m, "tokenizer.chat_template", ChatMlTemplate));
        }

        w.Write(0x46554747u); // "GGUF"
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)metadata.Count);
        foreach (var write in metadata)
        {
            write(w);
        }

        ulong offset = 0;
        foreach (var tensor in tensors)
        {
            WriteString(w, tensor.Name);
            w.Write((uint)tensor.Dimensions.Length);
            foreach (var dimension in tensor.Dimensions)
            {
                w.Write((ulong)dimension);
            }

            w.Write(0u); // GGML_TYPE_F32
            w.Write(offset);
            offset = Align((ulong)tensor.Data.Length * sizeof(float) + offset);
        }

        Pad(w);
        foreach (var tensor in tensors)
        {
            foreach (var value in tensor.Data)
            {
                w.Write(value);
            }

            Pad(w);
        }
    }

    private const uint Alignment = 32;

    private static ulong Align(ulong value) => (value + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w)
    {
        w.Flush();
        var position = (ulong)w.BaseStream.Position;
        for (var i = position; i < Align(position); i++)
        {
            w.Write((byte)0);
        }
    }

    private enum TokenType
    {
        Normal = 1,
        Unknown = 2,
        Control = 3,
        Byte = 6,
    }

    private sealed record Token(string Text, float Score, TokenType Type);

    private static List<Token> BuildVocabulary()
    {
        var tokens = new List<Token>
        {
            new("<unk>", 0, TokenType.Unknown),
            new("<s>", 0, TokenType.Control),
            new("</s>", 0, TokenType.Control),
        };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add(new Token($"<0x{b:X2}>", 0, TokenType.Byte));
        }

        tokens.Add(new Token("<|im_start|>", 0, TokenType.Control));
        tokens.Add(new Token("<|im_end|>", 0, TokenType.Control));

        // Pieces: single characters first, then every "▁"-prefix of every word. Longer pieces score higher, so the
        // SentencePiece merge prefers them; scores are distinct, as in real models.
        var pieces = new List<string> { SpaceMarker };
        pieces.AddRange("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?;:'\"-()".Select(c => c.ToString()));
        foreach (var word in Words)
        {
            var marked = SpaceMarker + word;
            for (var length = 2; length <= marked.Length; length++)
            {
                pieces.Add(marked[..length]);
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var piece in pieces)
        {
            if (seen.Add(piece))
            {
                tokens.Add(new Token(piece, piece.Length * 10f - index++ * 0.001f, TokenType.Normal));
            }
        }

        return tokens;
    }

    private sealed record Tensor(string Name, int[] Dimensions, float[] Data);

    private static List<Tensor> BuildTensors(List<Token> vocabulary, SplitMix64 random, LlamaShape shape)
    {
        var vocabularySize = vocabulary.Count;
        var e = shape.EmbeddingLength;
        var f = shape.FeedForwardLength;
        var tensors = new List<Tensor>
        {
            // ggml order: ne0 (the contiguous, input dimension) first.
            Random("token_embd.weight", [e, vocabularySize], 1f),
        };
        for (var block = 0; block < shape.BlockCount; block++)
        {
            tensors.Add(Ones($"blk.{block}.attn_norm.weight", e));
            tensors.Add(Random($"blk.{block}.attn_q.weight", [e, e], 1f / MathF.Sqrt(e)));
            tensors.Add(Random($"blk.{block}.attn_k.weight", [e, e], 1f / MathF.Sqrt(e)));
            tensors.Add(Random($"blk.{block}.attn_v.weight", [e, e], 1f / MathF.Sqrt(e)));
            tensors.Add(Random($"blk.{block}.attn_output.weight", [e, e], 1f / MathF.Sqrt(e)));
            tensors.Add(Ones($"blk.{block}.ffn_norm.weight", e));
            tensors.Add(Random($"blk.{block}.ffn_gate.weight", [e, f], 1f / MathF.Sqrt(e)));
            tensors.Add(Random($"blk.{block}.ffn_up.weight", [e, f], 1f / MathF.Sqrt(e)));
            tensors.Add(Random($"blk.{block}.ffn_down.weight", [f, e], 1f / MathF.Sqrt(f)));
        }

        tensors.Add(Ones("output_norm.weight", e));
        // Scaled so that logits spread over a few units: sampling then has real choices, and the fixed seed matters.
        // Special and byte tokens get all-zero output rows, i.e. logit 0, far below the top-k of the ~340 text
        // pieces: the model writes (gibberish) words and never ends on its own, so answers run to their token limit
        // whatever the CPU's float rounding, and tests can rely on their length.
        var output = Random("output.weight", [e, vocabularySize], 3f / MathF.Sqrt(e));
        for (var id = 0; id < vocabularySize; id++)
        {
            if (vocabulary[id].Type != TokenType.Normal)
            {
                Array.Clear(output.Data, id * e, e);
            }
        }

        tensors.Add(output);
        return tensors;

        Tensor Random(string name, int[] dimensions, float scale)
        {
            var data = new float[dimensions.Aggregate(1, (a, b) => a * b)];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (float)(random.NextDouble() * 2 - 1) * scale * 1.7320508f; // uniform with std = scale
            }

            return new Tensor(name, dimensions, data);
        }

        static Tensor Ones(string name, int length) => new(name, [length], Enumerable.Repeat(1f, length).ToArray());
    }

    private static void WriteString(BinaryWriter w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    // GGUF value types.
    private const uint TypeUInt32 = 4;
    private const uint TypeInt32 = 5;
    private const uint TypeFloat32 = 6;
    private const uint TypeBool = 7;
    private const uint TypeString = 8;
    private const uint TypeArray = 9;

    private static void WriteKv(BinaryWriter w, string key, string value)
    {
        WriteString(w, key);
        w.Write(TypeString);
        WriteString(w, value);
    }

    private static void WriteKvU32(BinaryWriter w, string key, uint value)
    {
        WriteString(w, key);
        w.Write(TypeUInt32);
        w.Write(value);
    }

    private static void WriteKvF32(BinaryWriter w, string key, float value)
    {
        WriteString(w, key);
        w.Write(TypeFloat32);
        w.Write(value);
    }

    private static void WriteKvBool(BinaryWriter w, string key, bool value)
    {
        WriteString(w, key);
        w.Write(TypeBool);
        w.Write(value ? (byte)1 : (byte)0);
    }

    private static void WriteKvStrings(BinaryWriter w, string key, string[] values)
    {
        WriteString(w, key);
        w.Write(TypeArray);
        w.Write(TypeString);
        w.Write((ulong)values.Length);
        foreach (var value in values)
        {
            WriteString(w, value);
        }
    }

    private static void WriteKvF32s(BinaryWriter w, string key, float[] values)
    {
        WriteString(w, key);
        w.Write(TypeArray);
        w.Write(TypeFloat32);
        w.Write((ulong)values.Length);
        foreach (var value in values)
        {
            w.Write(value);
        }
    }

    private static void WriteKvI32s(BinaryWriter w, string key, int[] values)
    {
        WriteString(w, key);
        w.Write(TypeArray);
        w.Write(TypeInt32);
        w.Write((ulong)values.Length);
        foreach (var value in values)
        {
            w.Write(value);
        }
    }

    /// <summary>A small, fully specified PRNG, so the weights are the same on every runtime and version.</summary>
    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public double NextDouble()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
