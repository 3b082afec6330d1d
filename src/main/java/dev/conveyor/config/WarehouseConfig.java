package dev.conveyor.config;

import javax.sql.DataSource;

import dev.conveyor.warehouse.WarehouseBuilds;
import dev.conveyor.warehouse.WarehouseLoader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class WarehouseConfig {

    @Bean
    public WarehouseLoader warehouseLoader(DataSource dataSource, ConveyorProperties properties) {
        return new WarehouseLoader(dataSource, properties.warehouse().copyBufferRows());
    }

    @Bean
    public WarehouseBuilds warehouseBuilds(DataSource dataSource, WarehouseBuildProperties build) {
        return new WarehouseBuilds(dataSource, build.pipeChunks());
    }
}
