package dev.conveyor.config;

import javax.sql.DataSource;

import dev.conveyor.warehouse.WarehouseLoader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class WarehouseConfig {

    @Bean
    public WarehouseLoader warehouseLoader(DataSource dataSource, ConveyorProperties properties) {
        return new WarehouseLoader(dataSource, properties.warehouse().copyBufferRows());
    }
}
