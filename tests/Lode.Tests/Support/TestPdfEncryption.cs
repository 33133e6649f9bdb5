using System.Security.Cryptography;
using System.Text;

namespace Lode.Tests.Support;

/// <summary>
/// Encrypts a <see cref="TestPdf"/> with the Standard security handler, revision 5 (AES-256, PDF 1.7 extension level 3),
/// written here from the specification so that the tests' encryption is a code path of its own, independent of PdfPig's
/// decryption that the guard reuses. Revision 5 because its key check is one SHA-256 (revision 6 iterates it) and
/// PdfPig reads it the same way. Deterministic: fixed seed for keys, salts and initialisation vectors.
/// </summary>
public sealed class TestPdfEncryption
{
    private readonly byte[] _fileKey;
    private readonly Random _random;

    /// <param name="userPassword">Empty: anyone opens the file (PdfPig too, without being asked); else only with it.</param>
    public TestPdfEncryption(string userPassword, string ownerPassword = "owner", int seed = 5)
    {
        _random = new Random(seed);
        _fileKey = Bytes(32);
        var (userSalt, userKeySalt, ownerSalt, ownerKeySalt) = (Bytes(8), Bytes(8), Bytes(8), Bytes(8));
        var user = Encoding.UTF8.GetBytes(userPassword);
        var owner = Encoding.UTF8.GetBytes(ownerPassword);

        // U: hash of the password with the validation salt, then both salts; UE: the file key under the key-salt hash.
        byte[] u = [.. SHA256.HashData([.. user, .. userSalt]), .. userSalt, .. userKeySalt];
        var ue = WrapKey(SHA256.HashData([.. user, .. userKeySalt]));
        byte[] o = [.. SHA256.HashData([.. owner, .. ownerSalt, .. u]), .. ownerSalt, .. ownerKeySalt];
        var oe = WrapKey(SHA256.HashData([.. owner, .. ownerKeySalt, .. u]));
        const int permissions = -4;
        byte[] perms = [.. BitConverter.GetBytes(permissions), 0xFF, 0xFF, 0xFF, 0xFF, (byte)'T', (byte)'a', (byte)'d', (byte)'b', .. Bytes(4)];
        using var aes = Aes.Create();
        aes.Key = _fileKey;
        Dictionary = "<< /Filter /Standard /V 5 /R 5 /Length 256 " +
                     "/CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF " +
                     $"/P {permissions} /O <{Convert.ToHexString(o)}> /U <{Convert.ToHexString(u)}> " +
                     $"/OE <{Convert.ToHexString(oe)}> /UE <{Convert.ToHexString(ue)}> /Perms <{Convert.ToHexString(aes.EncryptEcb(perms, PaddingMode.None))}> >>";
    }

    /// <summary>The encryption dictionary, for the trailer's /Encrypt.</summary>
    public string Dictionary { get; }

    /// <summary>A stream's data as the file stores it: a random IV, then AES-256-CBC with PKCS#7 padding.</summary>
    public byte[] Encrypt(byte[] data)
    {
        var iv = Bytes(16);
        using var aes = Aes.Create();
        aes.Key = _fileKey;
        return [.. iv, .. aes.EncryptCbc(data, iv, PaddingMode.PKCS7)];
    }

    private byte[] WrapKey(byte[] key)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.EncryptCbc(_fileKey, new byte[16], PaddingMode.None);
    }

    private byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}
