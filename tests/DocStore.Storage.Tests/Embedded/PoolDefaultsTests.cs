using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Embedded;

/// <summary>DocStore's settings for its pooled connections, and the operator's own kept (DocStoreDatabase.ApplyPoolDefaults).</summary>
public sealed class PoolDefaultsTests
{
    [Fact]
    public void A_connection_string_without_them_gets_docstores_choices()
    {
        const string given = "Host=/tmp/socket;Database=docstore";
        var builder = new NpgsqlConnectionStringBuilder(given);

        DocStoreDatabase.ApplyPoolDefaults(builder, given);

        Assert.Equal(64, builder.MaxAutoPrepare);
        Assert.Equal(2, builder.AutoPrepareMinUsages);
        Assert.True(builder.NoResetOnClose);
        Assert.Equal(65536, builder.WriteBufferSize);
    }

    [Fact]
    public void Settings_the_connection_string_makes_are_kept()
    {
        const string given = "Host=/tmp/socket;Max Auto Prepare=5;Auto Prepare Min Usages=3;No Reset On Close=false;Write Buffer Size=16384";
        var builder = new NpgsqlConnectionStringBuilder(given);

        DocStoreDatabase.ApplyPoolDefaults(builder, given);

        Assert.Equal(5, builder.MaxAutoPrepare);
        Assert.Equal(3, builder.AutoPrepareMinUsages);
        Assert.False(builder.NoResetOnClose);
        Assert.Equal(16384, builder.WriteBufferSize);
    }
}
