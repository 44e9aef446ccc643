using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace DocStore.Host;

/// <summary>
/// The server certificate for IMAPS, STARTTLS and HTTPS: the configured one
/// (<c>Tls:CertificatePath</c>, PKCS#12 or PEM with <c>Tls:KeyPath</c>), else a self-signed one
/// made on first start in <c>data/tls/</c> and reused afterwards.
/// </summary>
internal static class TlsCertificates
{
    public static X509Certificate2 Load(IConfiguration configuration, string dataDirectory, ILogger logger)
    {
        var path = configuration["Tls:CertificatePath"];
        if (!string.IsNullOrWhiteSpace(path))
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"Tls:CertificatePath '{path}' does not exist. Point it at a .pfx/.p12 file or a PEM certificate (with Tls:KeyPath), or leave it empty for a self-signed certificate.");
            }
            var keyPath = configuration["Tls:KeyPath"];
            return string.IsNullOrWhiteSpace(keyPath)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, configuration["Tls:CertificatePassword"])
                : X509Certificate2.CreateFromPemFile(path, keyPath);
        }

        var directory = Path.Combine(dataDirectory, "tls");
        var file = Path.Combine(directory, "server.pfx");
        if (File.Exists(file))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(file, password: null);
        }

        Directory.CreateDirectory(directory);
        var certificate = CreateSelfSigned();
        var tmp = file + ".tmp";
        File.WriteAllBytes(tmp, certificate.Export(X509ContentType.Pkcs12));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(tmp, file, overwrite: true);
        logger.LogInformation("Created a self-signed TLS certificate in {File} (SHA-256 {Thumbprint}); configure Tls:CertificatePath for a real one", file, certificate.GetCertHashString(HashAlgorithmName.SHA256));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }

    private static X509Certificate2 CreateSelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Dns.GetHostName()}, O=DocStore self-signed", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Dns.GetHostName());
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
    }
}
