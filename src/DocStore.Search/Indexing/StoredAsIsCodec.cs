using Lucene.Net.Codecs;
using Lucene.Net.Codecs.Compressing;
using Lucene.Net.Codecs.Lucene46;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace DocStore.Search.Indexing;

/// <summary>
/// Lucene 4.6's codec with stored fields written as they come instead of LZ4-compressed: the
/// only large stored values are texts DocStore has deflated already
/// (<see cref="VerifiedSubstringQuery.Pack"/>), which LZ4 cannot shrink, but on which it still
/// spent about 7 % of the indexer's CPU, and LZ4 again on every read of a candidate's text.
/// The layout is Lucene's own (CompressingStoredFieldsFormat, 16 KiB chunks) with the
/// pass-through compression mode of Lucene's test framework, so merges still copy whole chunks.
/// The name is written into every segment: <see cref="Register"/> must run before an index is
/// opened (<see cref="TextIndex"/> does).
/// </summary>
[CodecName(CodecName)]
public sealed class StoredAsIsCodec : FilterCodec
{
    public const string CodecName = "DocStoreStoredAsIs1";

    private readonly StoredFieldsFormat storedFields = new CompressingStoredFieldsFormat(CodecName, AsIs.Instance, 1 << 14);

    public StoredAsIsCodec()
        : base(new Lucene46Codec())
    {
    }

    public override StoredFieldsFormat StoredFieldsFormat => storedFields;

    private static int registered;

    /// <summary>Makes the codec known to Lucene by its name (once per process).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
        {
            Codec.SetCodecFactory(new DefaultCodecFactory { CustomCodecTypes = [typeof(StoredAsIsCodec)] });
        }
    }

    private sealed class AsIs : CompressionMode
    {
        public static readonly AsIs Instance = new();

        public override Compressor NewCompressor() => new Copier();

        public override Decompressor NewDecompressor() => new Reader();

        public override string ToString() => "AS_IS";

        private sealed class Copier : Compressor
        {
            public override void Compress(byte[] bytes, int off, int len, DataOutput output) => output.WriteBytes(bytes, off, len);
        }

        private sealed class Reader : Decompressor
        {
            // The chunk is its bytes as written: read up to the end of the part asked for.
            public override void Decompress(DataInput input, int originalLength, int offset, int length, BytesRef bytes)
            {
                if (bytes.Bytes.Length < originalLength)
                {
                    bytes.Bytes = new byte[ArrayUtil.Oversize(originalLength, 1)];
                }
                input.ReadBytes(bytes.Bytes, 0, offset + length);
                bytes.Offset = offset;
                bytes.Length = length;
            }

            public override object Clone() => new Reader();
        }
    }
}
